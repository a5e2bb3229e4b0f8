import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../src/extension/constants';
import { api, auditEvents, changeRow, fails, ok, root, treeRows, waitFor } from './helpers';
import { inPalette } from './paletteHelpers';

describe('changes: tree, status bar and commands', () => {
  it('New Change creates CH-001 through the engine, makes it active and opens its brief', async () => {
    const v = await ok<{ id: string; brief: string }>(Commands.NewChange, { title: 'Rate-limit the login endpoint' });
    assert.equal(v.id, 'CH-001');
    assert.ok(existsSync(join(root(), 'changes/CH-001/change.yaml')), 'expected changes/CH-001/change.yaml');
    await waitFor('brief.md of CH-001 in the active editor', () => vscode.window.activeTextEditor?.document.uri.toString() === v.brief);
    const events = auditEvents().filter((e) => e.ch_id === 'CH-001').map((e) => e.type);
    for (const t of ['change.created', 'change.activated', 'command']) assert.ok(events.includes(t), `expected a ${t} event for CH-001, got ${events.join(', ')}`);
  });

  it('the tree groups it under Draft and shows its stage, approval state, drift and concerns', async () => {
    const a = await api();
    const rows = await treeRows(a);
    const row = rows.find((r) => r.path === 'Draft/CH-001 Rate-limit the login endpoint');
    assert.ok(row, `expected "Draft/CH-001 Rate-limit the login endpoint" in the tree, got:\n${rows.map((r) => r.path).join('\n')}`);
    assert.match(row.description, /stage frame · awaiting approval/);
    assert.ok(rows.some((r) => r.path.endsWith('CH-001 Rate-limit the login endpoint/Artifacts/brief.md')), 'expected brief.md under Artifacts');
    assert.ok(rows.some((r) => r.path.endsWith('/Artifacts/change.yaml')), 'expected change.yaml under Artifacts');
  });

  it('the status bar shows the active change and its stage; a click offers what to do next, or to switch', async () => {
    const a = await api();
    assert.equal(a.statusBar().visible, true);
    assert.match(a.statusBar().text, /CH-001 · frame/);
    assert.equal(a.statusBar().command, Commands.ActiveChangeActions);
    const { result, asked } = await inPalette<{ uri: string }>(Commands.ActiveChangeActions, [{ pick: 'Open the change' }]);
    assert.deepEqual(asked[0]?.items, ['$(check) Approve frame', '$(close) Deny frame', '$(go-to-file) Open the change', '$(target) Switch the active change…']);
    assert.ok(result?.ok, 'expected Open the change to run');
    assert.match(result.value.uri, /changes\/CH-001\/brief\.md$/);
  });

  it('Approve frame records the approval; the status bar moves to the next stage', async () => {
    const v = await ok<{ covers: Record<string, string>; by: string }>(Commands.Approve, { chId: 'CH-001', stage: 'frame' });
    assert.deepEqual(Object.keys(v.covers), ['brief.md'], 'expected the approval to cover brief.md');
    assert.match(v.by, /E2E Tester/);
    const a = await api();
    assert.match(a.statusBar().text, /CH-001 · spec/, `expected the status bar to show stage spec, got "${a.statusBar().text}"`);
    assert.match((await changeRow(a, 'CH-001'))?.description ?? '', /stage spec/);
  });

  it('a gate the engine enforces is reported, not bypassed: execute cannot be approved before spec', async () => {
    await ok(Commands.Derive, { chId: 'CH-001', artifact: 'spec', open: false });
    await ok(Commands.Derive, { chId: 'CH-001', artifact: 'plan', open: false });
    await ok(Commands.Derive, { chId: 'CH-001', artifact: 'tasks', open: false });
    const e = await fails(Commands.Approve, { chId: 'CH-001', stage: 'execute' });
    assert.equal(e.code, 'conflict');
    assert.match(e.message, /cannot approve execute of CH-001: gate execute: needs spec approved/);
  });

  it('Deny needs a reason and raises a concern that the tree shows', async () => {
    await ok(Commands.Deny, { chId: 'CH-001', stage: 'spec', note: 'FR-2 is vague' });
    const a = await api();
    const row = await changeRow(a, 'CH-001');
    assert.match(row?.description ?? '', /denied · .*1 concern/, `expected "denied … 1 concern", got "${row?.description}"`);
    const rows = await treeRows(a);
    assert.ok(rows.some((r) => r.path.endsWith('/Concerns/C-1 FR-2 is vague')), `expected the concern under Concerns, got:\n${rows.map((r) => r.path).join('\n')}`);
  });

  it('a second change can be created without switching, then made active from the palette command', async () => {
    await ok(Commands.NewChange, { title: 'Lock out after five failures', use: false, open: false });
    const a = await api();
    assert.match(a.statusBar().text, /CH-001/, 'expected CH-001 to stay active');
    await ok(Commands.UseChange, 'CH-002');
    assert.match(a.statusBar().text, /CH-002 · frame/);
  });

  it('tasks of tasks.md appear under the change with their state', async () => {
    const a = await api();
    const tasks = (await treeRows(a)).filter((r) => r.node.kind === 'task' && r.node.chId === 'CH-001');
    const view = a.snapshot().changes.find((c) => c.change.id === 'CH-001');
    assert.equal(tasks.length, view?.tasks.length, 'expected one tree row per task line');
  });

  it('arguments that make no sense are refused with a usage error, nothing written', async () => {
    const before = auditEvents().length;
    const e = await fails(Commands.Approve, { chId: 'nonsense', stage: 'frame' });
    assert.equal(e.code, 'usage');
    assert.equal(auditEvents().length, before, 'expected no audit event for a refused argument');
  });
});
