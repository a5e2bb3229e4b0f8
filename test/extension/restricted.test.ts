import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { Commands } from '../../src/extension/constants';
import { api, auditEvents, changeRow, fails, lensesOf, treeRows, uriOf } from './helpers';

/**
 * Runs in a folder the editor does not trust. The harness prepared it with the CLI (a project,
 * CH-001 with its frame approved) and put a `git` on PATH that logs who runs it.
 */
describe('Restricted Mode (untrusted folder): read-only, nothing runs', () => {
  it('the window is untrusted and the extension is active (workspaceContains)', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'expected the harness to open this folder untrusted');
    const a = await api();
    assert.equal(a.snapshot().state, 'ready');
    assert.equal(a.snapshot().trusted, false);
  });

  it('the tree and the status bar show the project as it is on disk', async () => {
    const a = await api();
    const row = await changeRow(a, 'CH-001');
    assert.ok(row, `expected CH-001 in the tree, got ${(await treeRows(a)).map((r) => r.path).join(', ')}`);
    assert.match(row.description, /stage spec/);
    assert.match(a.statusBar().text, /CH-001 · spec/);
    assert.equal(a.statusBar().command, undefined, 'expected no click action in Restricted Mode');
  });

  it('every action is refused and writes nothing', async () => {
    const before = auditEvents().length;
    const yaml = readFileSync(uriOf('changes/CH-001/change.yaml').fsPath, 'utf8');
    for (const [command, arg] of [
      [Commands.Approve, { chId: 'CH-001', stage: 'spec' }],
      [Commands.Deny, { chId: 'CH-001', stage: 'spec', note: 'no' }],
      [Commands.NewChange, { title: 'Not in Restricted Mode' }],
      [Commands.UseChange, 'CH-001'],
      [Commands.Init, undefined],
      [Commands.Reconcile, { key: 'approval-stale:CH-001:frame', action: 're-approve' }],
      [Commands.Derive, { chId: 'CH-001', artifact: 'spec' }],
      [Commands.StartTask, { chId: 'CH-001', task: 'T-001' }],
      [Commands.CompleteTask, { chId: 'CH-001', task: 'T-001' }],
      [Commands.AbortRun, { chId: 'CH-001' }],
      [Commands.WritePromptFiles, undefined],
    ] as const) {
      const e = await fails(command, arg);
      assert.equal(e.code, 'untrusted', `expected ${command} to be refused as untrusted, got ${e.code}: ${e.message}`);
    }
    assert.equal(auditEvents().length, before, 'expected no audit event');
    assert.equal(readFileSync(uriOf('changes/CH-001/change.yaml').fsPath, 'utf8'), yaml, 'expected change.yaml untouched');
    assert.equal(existsSync(uriOf('changes/CH-002').fsPath), false, 'expected no new change');
  });

  it('CodeLens shows the approval state without any command, and drift is not computed', async () => {
    const a = await api();
    const lenses = await lensesOf(uriOf('changes/CH-001/brief.md'));
    assert.ok(lenses.length > 0, 'expected a read-only lens on brief.md');
    for (const l of lenses) assert.equal(l.command?.command ?? '', '', `expected no command on "${l.command?.title}"`);
    assert.match(lenses[0]?.command?.title ?? '', /frame: approved \(Restricted Mode: read-only\)/);
    assert.equal(a.drift().computed, false);
  });

  it('git was never run by the extension host (the logging git on PATH sees a probe, and nothing else)', () => {
    const log = process.env.DYNAFORGE_E2E_GIT_LOG;
    assert.ok(log, 'expected the harness to set DYNAFORGE_E2E_GIT_LOG');
    // The probe proves the logging git is the one this host would run.
    execFileSync('git', ['--version', '--build-options'], { stdio: 'ignore' });
    const ours = (existsSync(log) ? readFileSync(log, 'utf8') : '').split('\n').filter((l) => l.startsWith(`${process.pid} `));
    assert.ok(ours.some((l) => l.endsWith('--version --build-options')), `expected the probe in ${log}`);
    assert.deepEqual(ours.filter((l) => !l.endsWith('--version --build-options')), [], 'expected no other git process started by this extension host');
  });
});
