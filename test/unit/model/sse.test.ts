import { strict as assert } from 'node:assert';
import { SseParser, SseSyntaxError, type SseEvent } from '../../../src/core/model/sse';

function parseAll(pieces: readonly string[]): SseEvent[] {
  const p = new SseParser();
  return [...pieces.flatMap((x) => p.push(x)), ...p.end()];
}

describe('model: server-sent events reader', () => {
  it('ends an event at a blank line and reports the line its data started on', () => {
    assert.deepEqual(parseAll(['data: {"a":1}\n\n', ': comment\n', 'event: message\nid: 7\nretry: 10\ndata: {"b":2}\n\n']), [
      { data: '{"a":1}', line: 1 },
      { data: '{"b":2}', line: 7 },
    ]);
  });

  it('gives the same events however the bytes are split, CRLF included', () => {
    const text = 'data: one\r\n\r\ndata:two\n\ndata: three\ndata: four\n\n';
    const whole = parseAll([text]);
    assert.deepEqual(whole, [
      { data: 'one', line: 1 },
      { data: 'two', line: 3 },
      { data: 'three\nfour', line: 5 },
    ]);
    for (let cut = 1; cut < text.length; cut++) assert.deepEqual(parseAll([text.slice(0, cut), text.slice(cut)]), whole, `split at ${cut}`);
    assert.deepEqual(parseAll(text.split('')), whole, 'one character at a time');
  });

  it('at the end of the body, a last event without its blank line or newline still counts', () => {
    assert.deepEqual(parseAll(['data: [DONE]']), [{ data: '[DONE]', line: 1 }]);
    assert.deepEqual(parseAll(['data: x\n']), [{ data: 'x', line: 1 }]);
    assert.deepEqual(parseAll(['', '\n\n: only comments\n']), []);
  });

  it('a line that is no event field is an error naming the line', () => {
    const p = new SseParser();
    p.push('data: ok\n\n');
    assert.throws(
      () => p.push('{"not": "sse"}\n'),
      (e) => e instanceof SseSyntaxError && e.line === 3 && /not a server-sent event field \(expected "data: …"\): \{"not": "sse"\}/.test(e.message),
    );
    assert.throws(() => new SseParser().push('garbage\n'), (e) => e instanceof SseSyntaxError && e.line === 1);
  });
});
