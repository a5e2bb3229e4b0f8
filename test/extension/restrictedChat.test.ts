import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { Tools } from '../../src/extension/constants';
import { askDf, unusableModel } from './chatHelpers';
import { api, auditEvents, uriOf } from './helpers';

type Input = Record<string, unknown>;

async function tool(name: string): Promise<vscode.LanguageModelTool<Input>> {
  const t = (await api()).tool(name) as vscode.LanguageModelTool<Input> | undefined;
  assert.ok(t, `expected the tool ${name}`);
  return t;
}

/**
 * Restricted Mode (the untrusted folder with CH-001, frame approved): `@df` answers read-only
 * and refuses the rest, the state-changing tools refuse, and neither runs git (restricted.test
 * checks the git log after these).
 */
describe('Restricted Mode: @df answers read-only, tools that change state refuse', () => {
  it('/status answers from the files: the change at stage spec, without Approve / Deny buttons', async () => {
    const r = await askDf('status', 'CH-001', unusableModel());
    assert.match(r.stream.text, /\*\*CH-001\*\* Read me in Restricted Mode/);
    assert.match(r.stream.text, /stage \*\*spec\*\*/);
    assert.deepEqual(r.stream.buttons, [], 'expected no action offered in Restricted Mode');
  });

  it('/approve, /new and /implement are refused with the reason and the way to trust the folder; nothing is written', async () => {
    const before = auditEvents().length;
    for (const [command, prompt] of [['approve', 'CH-001 spec'], ['new', 'Something new'], ['implement', 'CH-001'], ['check', '']] as const) {
      const r = await askDf(command, prompt, unusableModel());
      assert.match(r.stream.text, /\*\*Restricted Mode:\*\* this folder is not trusted, so Dynaforge runs nothing here/, `expected /${command} refused`);
      assert.deepEqual(r.stream.buttons.map((b) => b.command), ['workbench.trust.manage']);
    }
    assert.equal(auditEvents().length, before, 'expected no audit event');
    assert.equal(existsSync(uriOf('changes/CH-002').fsPath), false, 'expected no new change');
  });

  it('the read-only tools answer; the state-changing ones refuse, and do not ask to confirm what they will refuse', async () => {
    const cts = new vscode.CancellationTokenSource();
    const status = await (await tool(Tools.Status)).invoke({ input: { change: 'CH-001' }, toolInvocationToken: undefined }, cts.token);
    const text = (status?.content ?? []).map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /CH-001 "Read me in Restricted Mode": .*stage spec/);
    const newChange = await tool(Tools.NewChange);
    const prepared = await newChange.prepareInvocation?.({ input: { title: 'No' } }, cts.token);
    assert.equal(prepared?.confirmationMessages, undefined);
    await assert.rejects(() => Promise.resolve(newChange.invoke({ input: { title: 'Not here' }, toolInvocationToken: undefined }, cts.token)), /Restricted Mode.*do not retry/s);
    await assert.rejects(() => Promise.resolve((async () => (await tool(Tools.StartTask)).invoke({ input: { task: 'T-001', change: 'CH-001' }, toolInvocationToken: undefined }, cts.token))()), /Restricted Mode/);
    await assert.rejects(() => Promise.resolve((async () => (await tool(Tools.Trace)).invoke({ input: {}, toolInvocationToken: undefined }, cts.token))()), /Restricted Mode/);
    cts.dispose();
    assert.equal(existsSync(uriOf('changes/CH-002').fsPath), false, 'expected no new change');
  });
});
