import { strict as assert } from 'node:assert';
import { collectStream, type ChatEvent, type ChatRequest } from '../../../src/core/model/modelPort';
import { toVscodeLmRequest, VscodeLmModel, type VscodeLmBridge, type VscodeLmRequest, type VscodeLmResponsePart } from '../../../src/core/model/vscodeLm';
import { rejection } from './modelAsserts';

/** A bridge like the face's, answering `parts`; it keeps what it was sent and the signal. */
function bridge(parts: readonly unknown[], opts: { failOnSend?: Error; failAfter?: number } = {}) {
  const b = {
    modelName: 'copilot gpt-test',
    sent: [] as VscodeLmRequest[],
    signal: undefined as AbortSignal | undefined,
    async sendRequest(request: VscodeLmRequest, signal: AbortSignal): Promise<AsyncIterable<VscodeLmResponsePart>> {
      b.sent.push(request);
      b.signal = signal;
      if (opts.failOnSend) throw opts.failOnSend;
      return (async function* () {
        for (const [i, p] of parts.entries()) {
          if (opts.failAfter === i) throw new Error('Response contained no choices.');
          yield p as VscodeLmResponsePart;
        }
      })();
    },
  };
  return b satisfies VscodeLmBridge;
}

describe('model: vscode-lm adapter', () => {
  it('maps roles onto user/assistant messages: system as user text, tool calls as parts, consecutive tool results in one user message', () => {
    const r = toVscodeLmRequest({
      messages: [
        { role: 'system', content: 'You are the Tester.' },
        { role: 'user', content: 'Run the tests.' },
        {
          role: 'assistant',
          content: 'Running both.',
          toolCalls: [
            { id: 'c1', name: 'run', arguments: { name: 'unit' } },
            { id: 'c2', name: 'run', arguments: { name: 'cli' } },
          ],
        },
        { role: 'tool', toolCallId: 'c1', content: 'ok' },
        { role: 'tool', toolCallId: 'c2', content: 'fail' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c3', name: 'read', arguments: {} }] },
        { role: 'tool', toolCallId: 'c3', content: 'log' },
      ],
      tools: [{ name: 'run', description: 'Run a test command', parameters: { type: 'object' } }],
      toolChoice: 'required',
      temperature: 0.1,
      seed: 3,
      maxTokens: 100,
    });
    assert.deepEqual(r, {
      messages: [
        { role: 'user', parts: [{ kind: 'text', value: 'You are the Tester.' }] },
        { role: 'user', parts: [{ kind: 'text', value: 'Run the tests.' }] },
        {
          role: 'assistant',
          parts: [
            { kind: 'text', value: 'Running both.' },
            { kind: 'tool-call', callId: 'c1', name: 'run', input: { name: 'unit' } },
            { kind: 'tool-call', callId: 'c2', name: 'run', input: { name: 'cli' } },
          ],
        },
        {
          role: 'user',
          parts: [
            { kind: 'tool-result', callId: 'c1', content: 'ok' },
            { kind: 'tool-result', callId: 'c2', content: 'fail' },
          ],
        },
        { role: 'assistant', parts: [{ kind: 'tool-call', callId: 'c3', name: 'read', input: {} }] },
        { role: 'user', parts: [{ kind: 'tool-result', callId: 'c3', content: 'log' }] },
      ],
      tools: [{ name: 'run', description: 'Run a test command', inputSchema: { type: 'object' } }],
      toolMode: 'required',
      modelOptions: { temperature: 0.1, seed: 3, max_tokens: 100 },
    });
    const none = toVscodeLmRequest({ messages: [], tools: [{ name: 'run', description: 'd', parameters: {} }], toolChoice: 'none' });
    assert.deepEqual([none.tools, none.toolMode, none.modelOptions], [[], 'auto', {}]);
    assert.equal(toVscodeLmRequest({ messages: [], toolChoice: 'required' }).toolMode, 'auto', 'required with no tools would be refused by VS Code');
  });

  it('streams text and tool calls from the bridge, and chat gives the same result', async () => {
    const parts = [
      { kind: 'text', value: 'Checking ' },
      { kind: 'text', value: '' },
      { kind: 'text', value: 'the log.' },
      { kind: 'tool-call', callId: 'tc-9', name: 'read', input: { path: 'out.log' } },
    ];
    const req: ChatRequest = { messages: [{ role: 'user', content: 'why?' }] };
    const events: ChatEvent[] = [];
    const result = await collectStream(new VscodeLmModel(bridge(parts)).stream(req), (e) => events.push(e));
    assert.deepEqual(events.slice(0, -1), [
      { kind: 'text', text: 'Checking ' },
      { kind: 'text', text: 'the log.' },
      { kind: 'tool-call-delta', index: 0, id: 'tc-9', name: 'read', argumentsDelta: '{"path":"out.log"}' },
    ]);
    assert.deepEqual(result, { text: 'Checking the log.', toolCalls: [{ id: 'tc-9', name: 'read', arguments: { path: 'out.log' } }], finishReason: 'tool_calls' });
    assert.deepEqual(await new VscodeLmModel(bridge(parts)).chat(req), result);
    assert.equal((await new VscodeLmModel(bridge([{ kind: 'text', value: 'hi' }])).chat(req)).finishReason, 'stop');
  });

  it('bridge failures become provider errors naming the model; a bad part is a bad-response error', async () => {
    const req: ChatRequest = { messages: [{ role: 'user', content: 'x' }] };
    const e = await rejection(new VscodeLmModel(bridge([], { failOnSend: new Error('NoPermissions: the user did not consent') })).chat(req));
    assert.equal(e.reason, 'provider');
    assert.equal(e.message, 'vscode-lm copilot gpt-test failed: NoPermissions: the user did not consent');
    assert.match(e.fix, /consent/);
    assert.equal((await rejection(new VscodeLmModel(bridge([{ kind: 'text', value: 'a' }, { kind: 'text', value: 'b' }], { failAfter: 1 })).chat(req))).reason, 'provider');
    const bad = await rejection(new VscodeLmModel(bridge([{ kind: 'tool-call', callId: 'c', name: 'f', input: 'not an object' }])).chat(req));
    assert.equal(bad.reason, 'bad-response');
    assert.match(bad.message, /response part this client cannot read/);
  });

  it('aborting, or leaving the loop early, aborts the signal the bridge was given', async () => {
    const req: ChatRequest = { messages: [{ role: 'user', content: 'x' }] };
    const b = bridge([{ kind: 'text', value: 'one' }, { kind: 'text', value: 'two' }]);
    for await (const e of new VscodeLmModel(b).stream(req)) {
      assert.deepEqual(e, { kind: 'text', text: 'one' });
      break;
    }
    assert.equal(b.signal?.aborted, true);

    const ac = new AbortController();
    const b2 = bridge([{ kind: 'text', value: 'one' }, { kind: 'text', value: 'two' }]);
    const e = await rejection(collectStream(new VscodeLmModel(b2).stream(req, { signal: ac.signal }), () => ac.abort()));
    assert.equal(e.reason, 'cancelled');
    assert.equal(b2.signal?.aborted, true);
  });
});
