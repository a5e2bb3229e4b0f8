import { strict as assert } from 'node:assert';
import { canonicalJson } from '../../../src/core/canonical';
import type { ChatRequest } from '../../../src/core/model/modelPort';
import { hashableRequest, requestHash, requestSummary } from '../../../src/core/model/requestHash';

const BASE: ChatRequest = {
  messages: [
    { role: 'system', content: 'You are the Implementer.' },
    { role: 'user', content: 'Implement task T-1.' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_Xy12', name: 'read_file', arguments: { path: 'a.ts', range: [1, 9] } }] },
    { role: 'tool', toolCallId: 'call_Xy12', content: 'export const a = 1;' },
  ],
  tools: [{ name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } }],
  temperature: 0,
  seed: 42,
  maxTokens: 512,
};

describe('model: request hash', () => {
  it('is a sha256 that does not depend on key order, the label, or how tool call ids are spelt', () => {
    const h = requestHash(BASE);
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.equal(requestHash({ ...BASE, label: 'implementer step 1' }), h);
    const reordered: ChatRequest = {
      maxTokens: 512,
      seed: 42,
      temperature: 0,
      tools: [{ parameters: { properties: { path: { type: 'string' } }, type: 'object' }, description: 'Read a file', name: 'read_file' }],
      messages: [
        BASE.messages[0]!,
        BASE.messages[1]!,
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_OTHER', name: 'read_file', arguments: { range: [1, 9], path: 'a.ts' } }] },
        { role: 'tool', toolCallId: 'call_OTHER', content: 'export const a = 1;' },
      ],
    };
    assert.equal(requestHash(reordered), h);
  });

  it('changes with anything that changes the answer', () => {
    const h = requestHash(BASE);
    const variants: ChatRequest[] = [
      { ...BASE, temperature: 0.2 },
      { ...BASE, seed: 43 },
      { ...BASE, maxTokens: 256 },
      { ...BASE, toolChoice: 'required' },
      { ...BASE, tools: [] },
      { ...BASE, messages: BASE.messages.slice(0, 2) },
      { ...BASE, messages: [...BASE.messages.slice(0, 3), { role: 'tool', toolCallId: 'call_Xy12', content: 'export const a = 2;' }] },
      // The result answers a different call than the one made: not the same conversation.
      { ...BASE, messages: [...BASE.messages.slice(0, 3), { role: 'tool', toolCallId: 'call_other', content: 'export const a = 1;' }] },
      { ...BASE, messages: [{ role: 'user', content: 'You are the Implementer.' }, ...BASE.messages.slice(1)] },
    ];
    const hashes = variants.map(requestHash);
    for (const [i, v] of hashes.entries()) assert.notEqual(v, h, `variant ${i}`);
    assert.equal(new Set(hashes).size, hashes.length);
  });

  it('is pinned: the same request hashes the same in every version of this code (cassettes depend on it)', () => {
    assert.equal(requestHash({ messages: [{ role: 'user', content: 'hi' }] }), requestHash({ messages: [{ role: 'user', content: 'hi' }], tools: [] }));
    // sha256 of {"messages":[{"content":"hi","role":"user"}],"tools":[],"v":1}
    assert.equal(canonicalJson(hashableRequest({ messages: [{ role: 'user', content: 'hi' }] })), '{"messages":[{"content":"hi","role":"user"}],"tools":[],"v":1}');
    assert.equal(requestHash({ messages: [{ role: 'user', content: 'hi' }] }), '0f708efecd782746110f54c1bea46940bff0e80ef42425e8a32a5edcb0cc3399');
  });

  it('summarises a request for people: label, message count, the start of the last message, tool names', () => {
    assert.deepEqual(requestSummary({ ...BASE, label: 'implementer step 1' }), {
      label: 'implementer step 1',
      messages: 4,
      last_role: 'tool',
      last: 'export const a = 1;',
      tools: ['read_file'],
    });
    const long = requestSummary({ messages: [{ role: 'user', content: `${'word '.repeat(100)}\nend` }] });
    assert.equal(long.last?.length, 161);
    assert.ok(long.last?.endsWith('…'));
    assert.deepEqual(requestSummary({ messages: [] }), { messages: 0 });
  });
});
