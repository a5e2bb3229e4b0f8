import { strict as assert } from 'node:assert';
import { ModelError } from '../../../src/core/model/modelError';
import type { ChatEvent } from '../../../src/core/model/modelPort';

/** The ModelError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function rejection(p: Promise<unknown>): Promise<ModelError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ModelError, `expected a ModelError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

/** Every event of a stream, in order. */
export async function events(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}
