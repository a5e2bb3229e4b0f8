import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Tools } from '../../src/extension/constants';
import { api, auditEvents, git, root, settle } from './helpers';

type Input = Record<string, unknown>;

/** Calls a tool's invoke directly (the path Copilot takes after the user confirmed) and returns its text. */
async function invoke(name: string, input: Input): Promise<string> {
  const t = (await api()).tool(name) as vscode.LanguageModelTool<Input> | undefined;
  assert.ok(t, `expected the tool ${name} to be registered`);
  const cts = new vscode.CancellationTokenSource();
  try {
    const r = await t.invoke({ input, toolInvocationToken: undefined } as vscode.LanguageModelToolInvocationOptions<Input>, cts.token);
    return (r?.content ?? []).map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
  } finally {
    cts.dispose();
  }
}

async function prepare(name: string, input: Input): Promise<vscode.PreparedToolInvocation> {
  const t = (await api()).tool(name) as vscode.LanguageModelTool<Input>;
  const cts = new vscode.CancellationTokenSource();
  const p = await t.prepareInvocation?.({ input } as vscode.LanguageModelToolInvocationPrepareOptions<Input>, cts.token);
  cts.dispose();
  assert.ok(p, `expected ${name} to prepare its invocation`);
  return p;
}

async function rejects(name: string, input: Input, pattern: RegExp): Promise<void> {
  await assert.rejects(() => invoke(name, input), (e: Error) => {
    assert.match(e.message, pattern);
    return true;
  });
}

describe('language-model tools (what Copilot agent mode calls)', () => {
  let id = '';

  it('every tool is registered with VS Code under its package.json name', () => {
    const names = new Set(vscode.lm.tools.map((t) => t.name));
    for (const name of Object.values(Tools)) assert.ok(names.has(name), `expected ${name} in vscode.lm.tools`);
  });

  it('state-changing tools ask the user to confirm; read-only ones only say what they do', async () => {
    for (const name of [Tools.NewChange, Tools.StartTask, Tools.CompleteTask, Tools.RecordEvidence]) {
      const p = await prepare(name, { title: 'x', task: 'T-001' });
      assert.ok(p.confirmationMessages, `expected ${name} to ask for confirmation`);
      assert.ok(String(p.invocationMessage).length > 0);
    }
    for (const name of [Tools.Status, Tools.ListTasks, Tools.Trace]) {
      const p = await prepare(name, {});
      assert.equal(p.confirmationMessages, undefined, `expected ${name} (read-only) to run without confirmation`);
      assert.ok(String(p.invocationMessage).length > 0);
    }
  });

  it(`${Tools.NewChange} creates a change through the engine, recorded as a tool call`, async () => {
    const text = await invoke(Tools.NewChange, { title: 'Log failed logins', scope: ['auth'], use: true });
    id = /Created (CH-\d{3,})/.exec(text)?.[1] ?? '';
    assert.ok(id, `expected "Created CH-…", got: ${text}`);
    assert.match(text, /now the active change/);
    const cmd = (auditEvents() as unknown as { type: string; ch_id?: string; actor: { role: string } }[]).find((e) => e.type === 'command' && e.ch_id === id);
    assert.equal(cmd?.actor.role, 'vscode lm tool');
    assert.match(readFileSync(join(root(), 'changes', id, 'change.yaml'), 'utf8'), /auth/);
  });

  it(`${Tools.Status} (also through vscode.lm.invokeTool) says where the active change stands`, async () => {
    const r = await vscode.lm.invokeTool(Tools.Status, { input: {}, toolInvocationToken: undefined });
    const text = r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, new RegExp(`${id} "Log failed logins": Draft, stage frame, awaiting approval`));
    assert.match(text, /"stage": "frame"/);
  });

  it(`${Tools.ListTasks}, ${Tools.StartTask} and ${Tools.CompleteTask} work a task by hand, with evidence`, async () => {
    writeFileSync(join(root(), 'changes', id, 'tasks.md'), '# Tasks\n\n- [ ] T-001 Log each failed login\n');
    await settle(await api());
    assert.match(await invoke(Tools.ListTasks, { change: id }), /0 of 1 task\(s\) done .*Next ready: T-001 "Log each failed login"/s);
    assert.match(await invoke(Tools.StartTask, { task: 'T-001', change: id }), /Started T-001 of CH-\d+: Log each failed login/);
    assert.match(await invoke(Tools.CompleteTask, { task: 'T-001', change: id }), /T-001 of CH-\d+ is NOT done \(no-changes\).*What to do: make the changes the task asks for/s);
    mkdirSync(join(root(), 'auth'), { recursive: true });
    writeFileSync(join(root(), 'auth', 'log.js'), 'module.exports = (user) => console.warn(`failed login: ${user}`);\n');
    const done = await invoke(Tools.CompleteTask, { task: 'T-001', change: id });
    assert.match(done, /T-001 of CH-\d+ is done, with evidence evidence\.json#E-\d+: 1 file\(s\) changed/);
  });

  it(`${Tools.RecordEvidence} records the working-tree diff as evidence of the change`, async () => {
    await git(['add', '-A']);
    await git(['commit', '-qm', 'failed-login logging']);
    writeFileSync(join(root(), 'auth', 'log.js'), 'module.exports = (user) => console.warn(`failed login for ${user}`);\n');
    const text = await invoke(Tools.RecordEvidence, { change: id, source: 'working' });
    assert.match(text, /Recorded evidence\.json#E-\d+ for CH-\d+: 1 file\(s\)/);
    await git(['add', '-A']);
    await git(['commit', '-qm', 'wording']);
  });

  it(`${Tools.Trace} gives the trace gaps, or the links of one item`, async () => {
    assert.match(await invoke(Tools.Trace, {}), /^Trace: \d+ requirement\(s\)/);
    assert.match(await invoke(Tools.Trace, { id }), new RegExp(`Trace of ${id} \\(change\\)`));
  });

  it('errors tell the model what is wrong and what to do', async () => {
    await rejects(Tools.StartTask, { task: 'first' }, /dynaforge_start_task was called with input it does not accept \(task: a task id like T-003\)/);
    await rejects(Tools.StartTask, { task: 'T-001', change: id }, /T-001 is already done.*What to do:/s);
    await rejects(Tools.Status, { change: 'CH-999' }, /There is no change CH-999/);
  });
});
