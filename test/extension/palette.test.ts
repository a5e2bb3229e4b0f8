import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunReport } from '../../src/core/implementer/implement';
import { Commands } from '../../src/extension/constants';
import { planAnswer, scriptLeft, scriptModel, setModelSource } from './chatHelpers';
import { api, auditEvents, cli, extension, git, ok, root, settle, waitFor } from './helpers';
import { okInPalette, tabLabels } from './paletteHelpers';

interface Contributed {
  readonly command: string;
  readonly category?: string;
  readonly enablement?: string;
  readonly when?: string;
  readonly group?: string;
}
interface Manifest {
  readonly contributes: { readonly commands: readonly Contributed[]; readonly menus: Record<string, readonly Contributed[]> };
}
interface Report {
  readonly uri: string;
  readonly markdown: string;
}
interface Event {
  readonly type: string;
  readonly ch_id?: string;
  readonly actor?: { readonly role?: string };
  readonly payload: Record<string, unknown>;
}

/** Every capability of DESIGN.md §7 (plus validate, waive and task start/done), as palette commands. */
const CAPABILITIES = [
  Commands.NewChange,
  Commands.Capture,
  Commands.Impact,
  Commands.Derive,
  Commands.Implement,
  Commands.ResumeRun,
  Commands.AbortRun,
  Commands.Approve,
  Commands.Deny,
  Commands.Reconcile,
  Commands.Trace,
  Commands.Status,
  Commands.Clarify,
  Commands.Analyze,
  Commands.Checklist,
  Commands.Doctor,
  Commands.Check,
  Commands.Validate,
  Commands.Waive,
  Commands.StartTask,
  Commands.CompleteTask,
];
/** Read from what is on disk: allowed in Restricted Mode. */
const READ_ONLY: readonly string[] = [Commands.Status, Commands.OpenChange, Commands.Refresh, Commands.ShowLog];

const events = () => auditEvents() as Event[];
const commandEvents = (name: string) => events().filter((e) => e.type === 'command' && e.payload.name === name);
const file = (rel: string) => join(root(), rel);

/** The last `command` event of that name, from the palette (the `vscode user` role). */
function lastCommand(name: string): Event {
  const e = commandEvents(name).at(-1);
  assert.ok(e, `expected a "${name}" command event`);
  assert.equal(e.actor?.role, 'vscode user', `expected the "${name}" event recorded as the palette's`);
  return e;
}

async function reportShown(name: string): Promise<void> {
  await waitFor(`a tab for "${name}"`, () => tabLabels().some((l) => l.includes(name)));
}

describe('the command palette: every capability, with quick picks and input boxes', () => {
  let id = '';

  before(async () => {
    const v = await ok<{ id: string }>(Commands.NewChange, { title: 'Palette: lock out after five failures', use: true, open: false });
    id = v.id;
    await ok(Commands.Approve, { chId: id, stage: 'frame' });
    await ok(Commands.Derive, { chId: id, artifact: 'spec', open: false });
    appendFileSync(file(`changes/${id}/spec.md`), '\n## Open questions\n\n- What does a locked-out user see?\n');
    await settle(await api());
  });

  it('contributes each capability to the palette under "Dynaforge"; only read-only ones run in Restricted Mode', () => {
    const m = extension().packageJSON as Manifest;
    const commands = new Map(m.contributes.commands.map((c) => [c.command, c]));
    const palette = new Map((m.contributes.menus.commandPalette ?? []).map((c) => [c.command, c]));
    for (const id of CAPABILITIES) {
      assert.equal(commands.get(id)?.category, 'Dynaforge', `expected ${id} in the category Dynaforge`);
      const when = palette.get(id)?.when ?? '';
      assert.notEqual(when, 'false', `expected ${id} in the command palette`);
      assert.match(when, /dynaforge\.state (==|!=) /, `expected ${id} to be shown only when there is a project`);
      if (READ_ONLY.includes(id)) continue;
      assert.equal(commands.get(id)?.enablement, 'isWorkspaceTrusted', `expected ${id} disabled in Restricted Mode`);
      assert.match(when, /isWorkspaceTrusted/, `expected ${id} hidden from the palette in Restricted Mode`);
    }
    assert.equal(commands.get(Commands.Status)?.enablement, undefined, 'expected Show Status… to work in Restricted Mode');
    const menu = (m.contributes.menus['view/item/context'] ?? []).filter((e) => e.when?.includes('viewItem =~ /^dynaforge\\.change\\.open/') && e.when.includes('isWorkspaceTrusted'));
    for (const id of [Commands.Implement, Commands.Validate, Commands.Capture, Commands.Approve, Commands.Deny, Commands.Derive]) assert.ok(menu.some((e) => e.command === id), `expected ${id} on an open change's context menu`);
  });

  it('Show Status… offers the changes (and all of them), then opens the status as a read-only Markdown preview, recording nothing', async () => {
    const before = events().length;
    const { value, asked } = await okInPalette<Report>(Commands.Status, [{ pick: id }]);
    assert.ok(asked[0]?.items?.some((l) => /All changes/.test(l)), `expected "All changes" offered, got ${asked[0]?.items?.join(' | ')}`);
    assert.match(value.markdown, new RegExp(`^# Status of ${id}\\n`));
    assert.match(value.markdown, /stage \*\*spec\*\*/);
    assert.ok(value.markdown.includes(`[brief.md](/changes/${id}/brief.md)`), `expected a link to brief.md, got:\n${value.markdown}`);
    assert.match(value.markdown, /\*\*Actions\*\* \(offered in the notification\): Approve spec · Deny spec…/, 'expected the chat buttons listed as actions');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(value.uri));
    assert.equal(doc.getText(), value.markdown, 'expected the report document to hold the report');
    await reportShown(`Status of ${id}`);
    assert.equal(events().length, before, 'expected no audit event for a read-only report');
    const all = await ok<Report>(Commands.Status, { all: true });
    assert.match(all.markdown, /^# Status of all changes\n/);
    assert.ok(all.markdown.includes(`**${id}**`), 'expected the change in the overview');
  });

  it('Trace… shows the summary and gaps, or an item typed into the input box; recorded like the CLI', async () => {
    const summary = await okInPalette<Report>(Commands.Trace, [{ pick: /Summary and trace gaps/ }]);
    assert.match(summary.value.markdown, /^# Trace\n\n\*\*Trace:\*\* \d+ requirement\(s\)/);
    assert.deepEqual(lastCommand('trace').payload.args, ['trace']);
    const typed = await okInPalette<Report>(Commands.Trace, [{ pick: /A requirement, workstream or test case/ }, { input: id.toLowerCase() }]);
    assert.match(typed.value.markdown, new RegExp(`^# Trace of ${id}\\n\\n\\*\\*${id}\\*\\* Palette: lock out`));
    assert.deepEqual(lastCommand('trace').payload.args, ['trace', id]);
    await reportShown(`Trace of ${id}`);
  });

  it('Check (CI Gate) and Doctor open their findings as reports', async () => {
    const check = await ok<Report>(Commands.Check);
    assert.match(check.markdown, /\*\*check (passed|FAILED)\*\*: \d+ errors?, \d+ warnings?/);
    lastCommand('check');
    const doctor = await ok<Report>(Commands.Doctor);
    assert.match(doctor.markdown, /✓ \*\*node\*\*/);
    await reportShown('Doctor');
  });

  it('Impact… writes impact.md and opens it', async () => {
    await ok(Commands.Impact, id);
    assert.ok(existsSync(file(`changes/${id}/impact.md`)), 'expected impact.md');
    assert.ok(events().some((e) => e.type === 'change.impact_written' && e.ch_id === id), 'expected a change.impact_written event');
    lastCommand('impact');
    await reportShown('impact.md');
  });

  it('Analyze… and Checklist… write their reports; the checklist opens to be ticked', async () => {
    await ok(Commands.Analyze, { chId: id });
    assert.ok(existsSync(file(`artifacts/analyze/${id}/analyze.md`)), 'expected the analyze report');
    const { asked } = await okInPalette(Commands.Checklist, [{ pick: id }]);
    assert.equal(asked.length, 1);
    assert.ok(existsSync(file(`changes/${id}/checklist.md`)), 'expected checklist.md');
    await waitFor('checklist.md in the editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === file(`changes/${id}/checklist.md`));
    assert.deepEqual(events().filter((e) => e.type === 'analysis.recorded' && e.ch_id === id).map((e) => e.payload.command), ['analyze', 'checklist']);
  });

  it('Clarify Open Questions… lists the questions, and the answer typed in goes into spec.md', async () => {
    const answer = 'The login form says the account is locked for 15 minutes';
    const { value, asked } = await okInPalette<{ report: { answered?: { question: string } } }>(Commands.Clarify, [{ pick: id }, { pick: /What does a locked-out user see/ }, { input: answer }]);
    const q = value.report.answered?.question ?? '';
    assert.match(q, /^Q-\d+$/);
    assert.match(asked[2]?.prompt ?? '', new RegExp(`answer to ${q} of ${id}`));
    const spec = readFileSync(file(`changes/${id}/spec.md`), 'utf8');
    assert.ok(spec.includes(`What does a locked-out user see? (clarified: ${q})`), `expected the question tagged in spec.md:\n${spec}`);
    assert.ok(spec.includes(answer), 'expected the answer under Clarifications');
    await waitFor('spec.md in the editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === file(`changes/${id}/spec.md`));
    assert.deepEqual(lastCommand('clarify').payload.args, ['clarify', id, '--answer', q, answer]);
  });

  it('Capture a Diff… turns the working tree into a new change; from the tree, into an existing one', async () => {
    mkdirSync(file('palette'), { recursive: true });
    writeFileSync(file('palette/notes.md'), '# Notes\n');
    await git(['add', '-A']);
    await git(['commit', '-qm', 'palette notes']);
    writeFileSync(file('palette/notes.md'), '# Notes\n\nLockout after five failures.\n');
    const { value } = await okInPalette<{ created: boolean; change: { id: string; title: string; origin: string } }>(Commands.Capture, [{ pick: /Working tree/ }, { pick: /A new change/ }, { input: 'Palette capture of the notes' }]);
    assert.equal(value.created, true);
    assert.equal(value.change.title, 'Palette capture of the notes');
    assert.equal(value.change.origin, 'code');
    assert.ok(existsSync(file(`changes/${value.change.id}/evidence.json`)), 'expected its evidence.json');
    const into = await ok<{ created: boolean; change: { id: string } }>(Commands.Capture, { chId: id, source: 'working', open: false });
    assert.equal(into.created, false);
    assert.equal(into.change.id, id);
    assert.ok(existsSync(file(`changes/${id}/evidence.json`)), 'expected evidence for the change the tree named');
    await git(['add', '-A']);
    await git(['commit', '-qm', 'captured']);
  });

  it('Start Task… and Complete Task with Evidence… pick the change and the task', async () => {
    writeFileSync(file(`changes/${id}/tasks.md`), '# Tasks\n\n- [ ] T-001 Lock the account after five failures\n');
    await settle(await api());
    const started = await okInPalette<{ task: { id: string } }>(Commands.StartTask, [{ pick: id }, { pick: 'T-001' }]);
    assert.equal(started.value.task.id, 'T-001');
    assert.match(readFileSync(file(`changes/${id}/tasks.md`), 'utf8'), /- \[~\] T-001/);
    writeFileSync(file('palette/lockout.js'), 'module.exports = (failures) => failures >= 5;\n');
    await settle(await api());
    const done = await okInPalette<{ outcome: string; evidence_ref: string }>(Commands.CompleteTask, [{ pick: id }, { pick: 'T-001' }]);
    assert.equal(done.value.outcome, 'done');
    assert.match(readFileSync(file(`changes/${id}/tasks.md`), 'utf8'), /- \[x\] T-001/);
    assert.deepEqual(lastCommand('task done').payload.args, ['task', 'done', 'T-001', '--change', id]);
  });

  describe('runs that take a while: Implement, Resume, Validate, Waive', () => {
    const GREET = "module.exports = (name) => `Hello, ${name}!`;\n";
    let run = '';
    let config = '';
    const setTests = (tests: string) => writeFileSync(file('.dynaforge/config.yaml'), config.replace('tests: []\n', `tests:\n${tests}`));

    before(async () => {
      const out = await cli(['new', 'Palette greeting', '--scope', 'src/palette']);
      run = /Created (CH-\d{3,})/.exec(out)?.[1] ?? '';
      assert.ok(run, `expected the CLI to create a change, got: ${out}`);
      config = readFileSync(file('.dynaforge/config.yaml'), 'utf8');
      assert.ok(config.includes('tests: []\n'), 'expected no declared tests yet');
      setTests('  - name: unit\n    command: test -f src/palette/greet.js\n');
      await setModelSource('vscode-lm');
      await settle(await api());
    });

    after(async () => {
      writeFileSync(file('.dynaforge/config.yaml'), config);
      await setModelSource('config');
    });

    it('Implement… runs the Implementer with the VS Code model until its step budget is spent; Resume… asks for a larger one and finishes', async () => {
      scriptModel([planAnswer([{ title: 'Add the greeting', files: ['src/palette/greet.js'], verify: ['unit'] }]), { toolCalls: [{ name: 'write_file', input: { path: 'src/palette/greet.js', content: GREET } }] }, { text: 'Added the greeting; unit passes.' }]);
      const first = await ok<RunReport>(Commands.Implement, { chId: run, maxSteps: 1 });
      assert.equal(first.run.status, 'failed');
      assert.match(first.why ?? '', /step budget of 1 is spent/);
      assert.equal(existsSync(file('src/palette/greet.js')), false);
      assert.deepEqual(lastCommand('implement').payload.args, ['implement', run, '--max-steps', '1']);

      const { value, asked } = await okInPalette<RunReport>(Commands.ResumeRun, [{ pick: run }, { input: '5' }]);
      assert.match(asked[1]?.prompt ?? '', /spent its budget of 1 steps/);
      assert.equal(value.run.status, 'succeeded', `expected the resumed run to succeed: ${value.why ?? ''}`);
      assert.equal(scriptLeft(), 0, 'expected the model to be asked three times in all');
      assert.equal(readFileSync(file('src/palette/greet.js'), 'utf8'), GREET);
      assert.deepEqual(lastCommand('implement resume').payload.args, ['implement', 'resume', run, '--max-steps', '5']);
    });

    it('Validate… runs the declared tests and opens QA_REPORT.md; Waive QA Verdict… sets a FAIL aside with the reason typed in', async () => {
      setTests('  - name: unit\n    command: exit 3\n');
      // The validate stage's approval (what a waiver records) covers tasks.md.
      writeFileSync(file(`changes/${run}/tasks.md`), '# Tasks\n\n- [x] T-001 Add the greeting\n');
      await settle(await api());
      const v = await ok<{ results: { verdict: string }; resultsFile: string; reportFile: string }>(Commands.Validate, { chId: run });
      assert.ok(['FAIL', 'CONCERNS'].includes(v.results.verdict), `expected a verdict to waive, got ${v.results.verdict}`);
      assert.ok(existsSync(file(v.resultsFile)) && existsSync(file(v.reportFile)), 'expected the results and QA_REPORT.md');
      await reportShown('QA_REPORT.md');
      const note = 'The unit command is a stand-in in this test project';
      const { value } = await okInPalette<{ waived: string; change: { qa_verdict?: { verdict: string; reasons: string[] } } }>(Commands.Waive, [{ pick: run }, { input: note }]);
      assert.equal(value.waived, v.results.verdict);
      assert.deepEqual(value.change.qa_verdict && [value.change.qa_verdict.verdict, value.change.qa_verdict.reasons], ['WAIVED', [note]]);
      assert.ok(events().some((e) => e.type === 'qa.verdict' && e.ch_id === run && e.payload.verdict === 'WAIVED'), 'expected a qa.verdict WAIVED event');
      assert.match(readFileSync(file(`changes/${run}/change.yaml`), 'utf8'), /verdict: WAIVED/);
    });

    it('Abort Implementer Run undoes the run the palette started', async () => {
      await ok(Commands.AbortRun, { chId: run });
      assert.equal(existsSync(file('src/palette/greet.js')), false, 'expected the file the run wrote to be gone');
    });
  });
});
