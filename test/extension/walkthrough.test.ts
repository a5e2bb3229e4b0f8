import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { WALKTHROUGH_ID } from '../../src/extension/commands/openWalkthrough';
import { Commands, ContextKeys, REPORT_SCHEME } from '../../src/extension/constants';
import { api, auditEvents, EXTENSION_ID, extension, ok, waitFor } from './helpers';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string };
  completionEvents: string[];
}

function walkthrough(): { id: string; title: string; steps: Step[] } {
  const all = (extension().packageJSON as { contributes: { walkthroughs?: { id: string; title: string; steps: Step[] }[] } }).contributes.walkthroughs ?? [];
  assert.equal(all.length, 1, 'expected one walkthrough');
  return all[0] as { id: string; title: string; steps: Step[] };
}

/** The `command:` links of a step description: the command id and its (URI-encoded JSON) argument. */
function links(description: string): { command: string; arg?: unknown }[] {
  return [...description.matchAll(/\]\(command:([\w.-]+)(?:\?([^)]+))?\)/g)].map((m) => ({ command: m[1] as string, ...(m[2] ? { arg: JSON.parse(decodeURIComponent(m[2])) } : {}) }));
}

/** The names of a zip's entries (its central directory): what a VSIX ships. */
function zipEntries(file: string): string[] {
  const buf = readFileSync(file);
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, `expected ${file} to be a zip`);
  const names: string[] = [];
  let at = buf.readUInt32LE(end + 16);
  for (let i = buf.readUInt16LE(end + 10); i > 0; i--) {
    const nameLength = buf.readUInt16LE(at + 28);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return names;
}

function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
}

describe('the Getting Started walkthrough', () => {
  it('walks through init, a change, the spec approval, implementing and the audit trail, each with its markdown', () => {
    const w = walkthrough();
    assert.equal(w.id, WALKTHROUGH_ID);
    assert.deepEqual(w.steps.map((s) => s.id), ['init', 'newChange', 'approveSpec', 'implement', 'audit']);
    for (const s of w.steps) {
      assert.ok(s.media.markdown, `expected step ${s.id} to show markdown`);
      const file = join(extension().extensionPath, s.media.markdown);
      assert.ok(existsSync(file), `expected ${s.media.markdown} in the extension`);
      assert.match(readFileSync(file, 'utf8'), /^# \S/, `expected ${s.media.markdown} to start with a heading`);
      assert.ok(links(s.description).length > 0, `expected step ${s.id} to offer a command button`);
      assert.ok(s.completionEvents.length > 0, `expected step ${s.id} to say when it is done`);
    }
  });

  it('ships its markdown in the VSIX (.vscodeignore keeps media/)', function () {
    const run = process.env.DYNAFORGE_E2E_RUN;
    if (!run || !existsSync(join(run, 'dynaforge.vsix'))) this.skip();
    const shipped = new Set(zipEntries(join(run as string, 'dynaforge.vsix')));
    for (const s of walkthrough().steps) assert.ok(shipped.has(`extension/${s.media.markdown}`), `expected ${s.media.markdown} in dynaforge.vsix`);
  });

  it('every button and completion event names a registered command or a context key the extension sets', async () => {
    await api();
    const registered = new Set(await vscode.commands.getCommands(true));
    const keys = Object.values(ContextKeys) as string[];
    for (const s of walkthrough().steps) {
      for (const l of links(s.description)) assert.ok(registered.has(l.command), `expected the button of step ${s.id} to run a registered command, but ${l.command} is not`);
      for (const e of s.completionEvents) {
        const [kind, rest = ''] = e.split(/:(.*)/s);
        if (kind === 'onCommand') assert.ok(registered.has(rest), `expected ${e} (step ${s.id}) to name a registered command`);
        else if (kind === 'onContext') assert.ok(keys.some((k) => rest.includes(k)), `expected ${e} (step ${s.id}) to test a Dynaforge context key`);
        else assert.fail(`unexpected completion event ${e} in step ${s.id}`);
      }
    }
    const ours = walkthrough().steps.flatMap((s) => links(s.description)).filter((l) => l.command.startsWith('dynaforge.'));
    assert.deepEqual([...new Set(ours.map((l) => l.command))].sort(), [Commands.Approve, Commands.Derive, Commands.Implement, Commands.Init, Commands.NewChange, Commands.ShowAudit, Commands.StartTask].sort());
  });

  it('Open Walkthrough opens it in the Welcome editor', async () => {
    const welcome = () => tabLabels().some((l) => /^welcome$|walkthrough|get started/i.test(l));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(welcome(), false, `expected no Welcome editor before, got tabs ${JSON.stringify(tabLabels())}`);
    const v = await ok<{ walkthrough: string }>(Commands.OpenWalkthrough);
    assert.equal(v.walkthrough, `${EXTENSION_ID}#${WALKTHROUGH_ID}`);
    await waitFor('the Welcome editor with the walkthrough', welcome, 10_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("Show Audit Trail (its last step) opens the active change's trail, rendered by the engine, read-only", async () => {
    const a = await api();
    const active = a.snapshot().active?.id;
    assert.ok(active, 'expected an active change by now');
    const v = await ok<{ uri: string; markdown: string; events: number; verifies: boolean }>(Commands.ShowAudit);
    const uri = vscode.Uri.parse(v.uri);
    assert.equal(uri.scheme, REPORT_SCHEME, 'expected an in-memory document, not a file anyone could edit');
    const own = auditEvents().filter((e) => e.ch_id === active);
    assert.equal(v.events, own.length, 'expected every event of the change stream');
    assert.equal(v.verifies, true);
    assert.match(v.markdown, new RegExp(`^# Audit trail of ${active}`));
    assert.match(v.markdown, /the hash chain verifies/);
    assert.match(v.markdown, /\| `change\.created` \|/);
    assert.equal((await vscode.workspace.openTextDocument(uri)).getText(), v.markdown, 'expected the report document to hold the rendered trail');
    await waitFor('the report in an editor tab', () => tabLabels().some((l) => l.includes(`Audit trail of ${active}`)), 10_000);

    // Another change, named by a tree node's argument.
    const other = a.snapshot().changes.find((c) => c.change.id !== active)?.change.id;
    if (other) assert.match((await ok<{ markdown: string }>(Commands.ShowAudit, { chId: other })).markdown, new RegExp(`^# Audit trail of ${other}`));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
