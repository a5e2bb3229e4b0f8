import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Commands } from '../../src/extension/constants';
import { api, auditEvents, ok, root, treeRows } from './helpers';

describe('a folder without .dynaforge/', () => {
  it('shows the welcome view (state "uninitialized", an empty tree) and no status bar item', async () => {
    const a = await api();
    assert.equal(a.snapshot().state, 'uninitialized', 'expected the welcome state before init');
    assert.equal((await treeRows(a)).length, 0, 'expected an empty tree, so the welcome view shows');
    assert.equal(a.statusBar().visible, false, 'expected no status bar item without a project');
  });

  it('Initialize creates the project through the engine and records it in the audit log', async () => {
    const v = await ok<{ root: string; written: string[]; git: boolean }>(Commands.Init);
    assert.equal(v.root, root());
    assert.equal(v.git, true, 'expected the test folder to be a git repository');
    assert.ok(v.written.includes('.dynaforge/config.yaml'), `expected config.yaml to be written, got ${v.written.join(', ')}`);
    assert.ok(existsSync(join(root(), 'changes')) && existsSync(join(root(), 'audit')), 'expected changes/ and audit/');
    const a = await api();
    assert.equal(a.snapshot().state, 'ready', 'expected the project to load right after init');
    assert.ok(auditEvents().some((e) => e.type === 'project.initialized'), 'expected a project.initialized event');
    const cmd = auditEvents().find((e) => e.type === 'command' && e.payload.name === 'init');
    assert.ok(cmd, 'expected the action to be recorded as a command event like the CLI records it');
    assert.equal(cmd.payload.outcome, 'ok');
  });

  it('Initialize again changes nothing (idempotent)', async () => {
    const v = await ok<{ written: string[] }>(Commands.Init);
    assert.deepEqual(v.written, [], 'expected a second init to write no file');
  });
});
