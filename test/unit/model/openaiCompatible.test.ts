import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { collectStream, type ChatEvent, type ChatRequest } from '../../../src/core/model/modelPort';
import { OpenAiCompatibleModel, type OpenAiCompatibleOptions } from '../../../src/core/model/openaiCompatible';
import { fixedClock } from '../../../src/core/ports/clock';
import { chunk, completion, DONE, startFakeServer, type FakeServer } from './fakeOpenAiServer';
import { rejection, events } from './modelAsserts';

const KEY = 'sk-test-Zq8uN3vK1pW7rT5yX2';
const HELLO: ChatRequest = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello.' }] };

describe('model: openai-compatible over HTTP', function () {
  this.timeout(20_000);
  let server: FakeServer;
  let sleeps: number[];

  beforeEach(async () => {
    server = await startFakeServer();
    sleeps = [];
  });
  afterEach(() => server.close());

  const client = (opts: Partial<OpenAiCompatibleOptions> = {}) =>
    new OpenAiCompatibleModel({
      url: server.url,
      model: 'tiny',
      apiKey: { value: KEY, from: 'DYNAFORGE_MODEL_API_KEY' },
      sleep: async (ms) => void sleeps.push(ms),
      timeoutMs: 5_000,
      ...opts,
    });

  describe('whole answers', () => {
    it('posts the request in the OpenAI shape with the key as a Bearer header, and returns text, finish reason and usage', async () => {
      server.reply({ kind: 'json', body: completion('Hello!') });
      const r = await client().chat({
        ...HELLO,
        temperature: 0,
        seed: 7,
        maxTokens: 64,
        label: 'not sent',
        tools: [{ name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } }],
      });
      assert.deepEqual(r, { text: 'Hello!', toolCalls: [], finishReason: 'stop', usage: { promptTokens: 12, completionTokens: 5, totalTokens: 17 } });
      assert.equal(server.requests.length, 1);
      const seen = server.requests[0];
      assert.equal(seen?.method, 'POST');
      assert.equal(seen?.path, '/v1/chat/completions');
      assert.equal(seen?.authorization, `Bearer ${KEY}`);
      assert.deepEqual(seen?.body, {
        model: 'tiny',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Say hello.' },
        ],
        tools: [{ type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }],
        temperature: 0,
        seed: 7,
        max_tokens: 64,
        stream: false,
      });
    });

    it('sends no Authorization header without a key, and a trailing slash on the URL does not matter', async () => {
      server.reply({ kind: 'json', body: completion('ok') });
      await client({ apiKey: undefined, url: `${server.url}//` }).chat(HELLO);
      assert.equal(server.requests[0]?.authorization, undefined);
      assert.equal(server.requests[0]?.path, '/v1/chat/completions');
    });

    it('returns tool calls with parsed arguments (JSON text or an object), and sends earlier calls and results back in the OpenAI shape', async () => {
      server.reply({
        kind: 'json',
        body: completion(null, {
          toolCalls: [
            { id: 'call_a', name: 'read_file', arguments: '{"path":"src/a.ts"}' },
            { name: 'list', arguments: { dir: '.' } },
            { id: 'call_c', name: 'now', arguments: '' },
          ],
        }),
      });
      const r = await client().chat({
        messages: [
          { role: 'user', content: 'Read a.' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_0', name: 'read_file', arguments: { path: 'b.ts' } }] },
          { role: 'tool', toolCallId: 'call_0', content: 'export {}' },
        ],
      });
      assert.deepEqual(r.toolCalls, [
        { id: 'call_a', name: 'read_file', arguments: { path: 'src/a.ts' } },
        { id: 'call_1', name: 'list', arguments: { dir: '.' } },
        { id: 'call_c', name: 'now', arguments: {} },
      ]);
      assert.equal(r.finishReason, 'tool_calls');
      assert.equal(r.text, '');
      assert.deepEqual(server.requests[0]?.body.messages, [
        { role: 'user', content: 'Read a.' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'read_file', arguments: '{"path":"b.ts"}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: 'export {}' },
      ]);
    });

    it('maps finish reasons: length, content_filter, unknown ones to other, a missing one to stop', async () => {
      server.reply(
        { kind: 'json', body: completion('a', { finish: 'length' }) },
        { kind: 'json', body: completion('b', { finish: 'content_filter' }) },
        { kind: 'json', body: completion('c', { finish: 'weird' }) },
        { kind: 'json', body: completion('d', { finish: null, usage: false }) },
      );
      const c = client();
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await c.chat(HELLO));
      assert.deepEqual(got.map((r) => r.finishReason), ['length', 'content_filter', 'other', 'stop']);
      assert.equal(got[3]?.usage, undefined);
    });

    it('a tool call whose arguments are not a JSON object is a bad-response error naming the call', async () => {
      server.reply({ kind: 'json', body: completion(null, { toolCalls: [{ id: 'call_x', name: 'edit', arguments: '{"path": "a.ts",' }] }) });
      const e = await rejection(client().chat(HELLO));
      assert.equal(e.reason, 'bad-response');
      assert.match(e.message, /bad tool call: tool call edit \(call_x\) has arguments that are not valid JSON/);

      server.reply({ kind: 'json', body: completion(null, { toolCalls: [{ id: 'call_y', name: 'edit', arguments: '[1,2]' }] }) });
      assert.match((await rejection(client().chat(HELLO))).message, /tool call edit \(call_y\) has arguments that are not a JSON object: \[1,2\]/);
    });
  });

  describe('streaming', () => {
    it('yields text deltas in order, then done with the whole text, finish reason and usage', async () => {
      server.reply({
        kind: 'sse',
        pieces: [
          ': keep-alive comment\n\n',
          chunk({ role: 'assistant', content: '' }),
          chunk({ content: 'Hel' }),
          // One event split across two TCP writes, mid-JSON.
          chunk({ content: 'lo, ' }).slice(0, 30),
          chunk({ content: 'lo, ' }).slice(30),
          `event: message\r\n${chunk({ content: 'world' }).replace('\n\n', '\r\n\r\n')}`,
          chunk({}, 'stop'),
          `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } })}\n\n`,
          DONE,
        ],
      });
      const got = await events(client().stream(HELLO));
      assert.deepEqual(got, [
        { kind: 'text', text: 'Hel' },
        { kind: 'text', text: 'lo, ' },
        { kind: 'text', text: 'world' },
        { kind: 'done', result: { text: 'Hello, world', toolCalls: [], finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } } },
      ]);
      assert.equal(server.requests[0]?.body.stream, true);
      assert.equal(server.requests[0]?.accept, 'text/event-stream');
    });

    it('reassembles tool calls whose arguments arrive in fragments, interleaved by index, split inside strings and escapes', async () => {
      const args0 = JSON.stringify({ path: 'src/ä "x".ts', lines: [1, 2] });
      const args1 = JSON.stringify({ query: 'TODO\\n' });
      server.reply({
        kind: 'sse',
        pieces: [
          chunk({ content: 'Let me look.' }),
          chunk({ tool_calls: [{ index: 0, id: 'call_r', type: 'function', function: { name: 'read_file', arguments: '' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: args0.slice(0, 11) } }] }),
          chunk({ tool_calls: [{ index: 1, id: 'call_s', type: 'function', function: { name: 'search', arguments: args1.slice(0, 13) } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: args0.slice(11, 17) } }] }),
          chunk({ tool_calls: [{ index: 1, function: { arguments: args1.slice(13) } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: args0.slice(17) } }] }),
          chunk({}, 'tool_calls'),
          DONE,
        ],
      });
      const got = await events(client().stream({ ...HELLO, tools: [{ name: 'read_file', description: 'r', parameters: { type: 'object' } }] }));
      const deltas = got.filter((e) => e.kind === 'tool-call-delta');
      assert.deepEqual(
        deltas.map((d) => [d.index, d.id, d.name, d.argumentsDelta]),
        [
          [0, 'call_r', 'read_file', ''],
          [0, undefined, undefined, args0.slice(0, 11)],
          [1, 'call_s', 'search', args1.slice(0, 13)],
          [0, undefined, undefined, args0.slice(11, 17)],
          [1, undefined, undefined, args1.slice(13)],
          [0, undefined, undefined, args0.slice(17)],
        ],
      );
      const done = got[got.length - 1];
      assert.deepEqual(done, {
        kind: 'done',
        result: {
          text: 'Let me look.',
          toolCalls: [
            { id: 'call_r', name: 'read_file', arguments: { path: 'src/ä "x".ts', lines: [1, 2] } },
            { id: 'call_s', name: 'search', arguments: { query: 'TODO\\n' } },
          ],
          finishReason: 'tool_calls',
        },
      });
    });

    it('chat and a collected stream give the same result for the same answer', async () => {
      server.reply(
        { kind: 'json', body: completion('Same.', { toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }], usage: false }) },
        { kind: 'sse', pieces: [chunk({ content: 'Same.' }), chunk({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '{"a":1}' } }] }), chunk({}, 'tool_calls'), DONE] },
      );
      const c = client();
      const whole = await c.chat(HELLO);
      assert.deepEqual(await collectStream(c.stream(HELLO)), whole);
    });

    it('several data lines with no blank line between them are read as one chunk each', async () => {
      server.reply({ kind: 'sse', pieces: [`${chunk({ content: 'a' }).trimEnd()}\n${chunk({ content: 'b' }, 'stop')}`, DONE] });
      assert.deepEqual(await events(client().stream(HELLO)), [
        { kind: 'text', text: 'a' },
        { kind: 'text', text: 'b' },
        { kind: 'done', result: { text: 'ab', toolCalls: [], finishReason: 'stop' } },
      ]);
    });

    it('a server that ignores stream: true and answers with JSON still streams', async () => {
      server.reply({ kind: 'json', body: completion('Whole.', { usage: false }) });
      assert.deepEqual(await events(client().stream(HELLO)), [
        { kind: 'text', text: 'Whole.' },
        { kind: 'done', result: { text: 'Whole.', toolCalls: [], finishReason: 'stop' } },
      ]);
    });

    it('an event whose data is not JSON is a malformed-stream error naming the line', async () => {
      server.reply({ kind: 'sse', pieces: [chunk({ content: 'a' }), 'data: {"choices": [{"delta": {"content": "b"\n\n', DONE] });
      const seen: ChatEvent[] = [];
      const e = await rejection(collectStream(client().stream(HELLO), (ev) => seen.push(ev)));
      assert.equal(e.reason, 'bad-response');
      assert.match(e.message, new RegExp(`^malformed event stream from the model server at ${server.url.replace(/[.]/g, '\\.')}, line 3: its data is not JSON`));
      assert.deepEqual(seen, [{ kind: 'text', text: 'a' }], 'what came before the bad event was passed on');
    });

    it('a line that is not an event field (e.g. a JSON-lines body) is a malformed-stream error naming the line', async () => {
      server.reply({ kind: 'sse', pieces: [chunk({ content: 'a' }), '{"message": {"content": "b"}}\n', DONE] });
      const e = await rejection(collectStream(client().stream(HELLO)));
      assert.match(e.message, /line 3: not a server-sent event field \(expected "data: …"\): \{"message": \{"content": "b"\}\}/);
    });

    it('a data event that is not a chunk, and a stream cut off before [DONE], are errors', async () => {
      server.reply({ kind: 'sse', pieces: [`data: ${JSON.stringify({ choices: [{ delta: { content: 5 } }] })}\n\n`] });
      assert.match((await rejection(collectStream(client().stream(HELLO)))).message, /line 1: the event is not a chat-completion chunk \(choices\.0\.delta\.content: /);

      server.reply({ kind: 'sse', pieces: [chunk({ content: 'Half an ans' })] });
      const cut = await rejection(collectStream(client().stream(HELLO)));
      assert.equal(cut.reason, 'bad-response');
      assert.match(cut.message, /ended before "data: \[DONE\]" and without a finish reason/);
    });

    it('an error event mid-stream is a provider error with the server message', async () => {
      server.reply({ kind: 'sse', pieces: [chunk({ content: 'a' }), `data: ${JSON.stringify({ error: { message: 'model crashed: out of memory' } })}\n\n`] });
      const e = await rejection(collectStream(client().stream(HELLO)));
      assert.equal(e.reason, 'provider');
      assert.match(e.message, /reported an error mid-stream: model crashed: out of memory/);
    });

    it('leaving the loop early closes the connection', async () => {
      server.reply({ kind: 'sse', pieces: [chunk({ content: 'one' }), chunk({ content: 'two' })], hangAfter: true });
      for await (const e of client().stream(HELLO)) {
        assert.deepEqual(e, { kind: 'text', text: 'one' });
        break;
      }
      await server.closed(0);
    });
  });

  describe('retries, timeouts and failures', () => {
    it('429 with Retry-After: waits what the server says, then succeeds', async () => {
      server.reply({ kind: 'json', status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'slow down' } } }, { kind: 'json', body: completion('after the wait') });
      const r = await client().chat(HELLO);
      assert.equal(r.text, 'after the wait');
      assert.deepEqual(sleeps, [2000]);
      assert.equal(server.requests.length, 2);
      assert.deepEqual(server.requests[1]?.body, server.requests[0]?.body, 'the retry sends the same request');
    });

    it('Retry-After as an HTTP date is measured against the injected clock', async () => {
      server.reply({ kind: 'json', status: 429, headers: { 'retry-after': 'Sat, 21 Nov 2026 09:00:05 GMT' }, body: {} }, { kind: 'json', body: completion('ok') });
      await client({ clock: fixedClock('2026-11-21T09:00:00.000Z') }).chat(HELLO);
      assert.deepEqual(sleeps, [5000]);
    });

    it('a Retry-After longer than the limit fails at once, saying how long the server asked to wait', async () => {
      server.reply({ kind: 'json', status: 429, headers: { 'retry-after': '3600' }, body: { error: { message: 'quota' } } });
      const e = await rejection(client().chat(HELLO));
      assert.equal(e.reason, 'rate-limited');
      assert.equal(e.status, 429);
      assert.match(e.message, /HTTP 429 \(quota; it asks to wait 3600 s before retrying\)/);
      assert.deepEqual(sleeps, []);
      assert.equal(server.requests.length, 1);
    });

    it('500 then success: one retry after the first backoff step', async () => {
      server.reply({ kind: 'raw', status: 500, text: 'Internal Server Error', contentType: 'text/plain' }, { kind: 'json', body: completion('recovered') });
      assert.equal((await client().chat(HELLO)).text, 'recovered');
      assert.deepEqual(sleeps, [500]);
      assert.equal(server.requests.length, 2);
    });

    it('a 5xx before a stream starts is retried too', async () => {
      server.reply({ kind: 'json', status: 503, body: { error: 'loading model' } }, { kind: 'sse', pieces: [chunk({ content: 'up' }), DONE] });
      assert.equal((await collectStream(client().stream(HELLO))).text, 'up');
      assert.deepEqual(sleeps, [500]);
    });

    it('a permanent 500 fails after 1 + retries attempts with exponential backoff, quoting the server', async () => {
      for (let i = 0; i < 4; i++) server.reply({ kind: 'json', status: 500, body: { error: { message: 'GPU on fire' } } });
      const e = await rejection(client({ retries: 3 }).chat(HELLO));
      assert.equal(server.requests.length, 4);
      assert.deepEqual(sleeps, [500, 1000, 2000]);
      assert.equal(e.reason, 'server');
      assert.equal(e.code, 'io');
      assert.equal(e.status, 500);
      assert.equal(e.attempts, 4);
      assert.equal(e.message, `the model server at ${server.url} failed: HTTP 500 after 4 attempts (GPU on fire)`);
      assert.match(e.fix, /model\.retries/);
    });

    it('retries: 0 means one attempt', async () => {
      server.reply({ kind: 'json', status: 502, body: {} });
      const e = await rejection(client({ retries: 0 }).chat(HELLO));
      assert.equal(e.attempts, 1);
      assert.deepEqual(sleeps, []);
    });

    it('a dropped connection is retried; other 4xx are not', async () => {
      server.reply({ kind: 'drop' }, { kind: 'json', body: completion('second try') });
      assert.equal((await client().chat(HELLO)).text, 'second try');
      assert.deepEqual(sleeps, [500]);

      server.reply({ kind: 'json', status: 400, body: { error: { message: 'tools are not supported by this model' } } });
      const e = await rejection(client().chat(HELLO));
      assert.equal(e.reason, 'http');
      assert.equal(e.status, 400);
      assert.match(e.message, /rejected the request: HTTP 400 \(tools are not supported by this model\)/);
      assert.equal(server.requests.length, 3);
    });

    it('404 says to check the URL and the model name', async () => {
      const e = await rejection(client({ url: server.url.replace(/\/v1$/, '') }).chat(HELLO));
      assert.equal(e.status, 404);
      assert.match(e.message, /no chat completions endpoint or no model "tiny": HTTP 404/);
      assert.match(e.fix, /usually ends in \/v1/);
    });

    it('a server that never answers times out after the per-request timeout, without retrying', async () => {
      server.reply({ kind: 'hang' }, { kind: 'hang' });
      const started = Date.now();
      const e = await rejection(client({ timeoutMs: 300 }).chat(HELLO));
      assert.equal(e.reason, 'timeout');
      assert.equal(e.message, `the model server at ${server.url} did not answer within 0.3 s`);
      assert.match(e.fix, /model\.timeout_s/);
      assert.ok(Date.now() - started < 3000, 'it did not wait longer than the timeout');
      assert.equal(server.requests.length, 1);
      assert.deepEqual(sleeps, []);
    });

    it('a stream that stops mid-answer times out once nothing has come for the timeout', async () => {
      server.reply({ kind: 'sse', pieces: [chunk({ content: 'partial' })], hangAfter: true });
      const seen: ChatEvent[] = [];
      const e = await rejection(collectStream(client({ timeoutMs: 300 }).stream(HELLO), (ev) => seen.push(ev)));
      assert.equal(e.reason, 'timeout');
      assert.match(e.message, /sent nothing for 0\.3 s in the middle of its answer/);
      assert.deepEqual(seen, [{ kind: 'text', text: 'partial' }]);
    });

    it('a refused connection is a connection error at once (no retries)', async () => {
      const port = await new Promise<number>((done) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const p = (s.address() as AddressInfo).port;
          s.close(() => done(p));
        });
      });
      const e = await rejection(client({ url: `http://127.0.0.1:${port}/v1` }).chat(HELLO));
      assert.equal(e.reason, 'connection');
      assert.equal(e.message, `the model server at http://127.0.0.1:${port}/v1 refused the connection (ECONNREFUSED)`);
      assert.match(e.fix, /start the server/);
      assert.deepEqual(sleeps, []);
    });

    it('a body that is not JSON, or has no choices, or is an error object, says so', async () => {
      server.reply(
        { kind: 'raw', text: '{"choices": [{"message": ', contentType: 'application/json' },
        { kind: 'raw', text: '<html>Bad gateway page</html>', contentType: 'text/html' },
        { kind: 'json', body: { id: 'x', object: 'chat.completion' } },
        { kind: 'json', body: { choices: [] } },
        { kind: 'json', body: { choices: [{ finish_reason: 'stop' }] } },
        { kind: 'json', body: { error: { message: 'model "tiny" not loaded' } } },
      );
      const c = client();
      const errors = [];
      for (let i = 0; i < 6; i++) errors.push(await rejection(c.chat(HELLO)));
      assert.deepEqual(errors.map((e) => e.reason), ['bad-response', 'bad-response', 'bad-response', 'bad-response', 'bad-response', 'provider']);
      assert.match(errors[0]?.message ?? '', /answered with a body that is not JSON: \{"choices": \[\{"message":/);
      assert.match(errors[1]?.message ?? '', /not JSON: <html>Bad gateway page<\/html>/);
      assert.match(errors[2]?.message ?? '', /has no choices/);
      assert.match(errors[3]?.message ?? '', /has no choices/);
      assert.match(errors[4]?.message ?? '', /cannot read \(choices\.0\.message: /);
      assert.match(errors[5]?.message ?? '', /reported an error: model "tiny" not loaded/);
      assert.deepEqual(sleeps, [], 'a bad body is not retried');
    });
  });

  describe('cancellation', () => {
    it('aborting while the server thinks rejects with a cancelled error and closes the connection', async () => {
      server.reply({ kind: 'hang' });
      const ac = new AbortController();
      const p = client().chat(HELLO, { signal: ac.signal });
      while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
      ac.abort();
      const e = await rejection(p);
      assert.equal(e.reason, 'cancelled');
      await server.closed(0);
    });

    it('aborting during a backoff wait stops the retries', async () => {
      server.reply({ kind: 'json', status: 500, body: {} });
      const ac = new AbortController();
      const e = await rejection(
        client({
          sleep: (_ms, signal) =>
            new Promise((_res, rej) => {
              signal?.addEventListener('abort', () => rej(new Error('aborted')));
              ac.abort();
            }),
        }).chat(HELLO, { signal: ac.signal }),
      );
      assert.equal(e.reason, 'cancelled');
      assert.equal(server.requests.length, 1);
    });

    it('an already aborted signal sends nothing', async () => {
      const e = await rejection(client().chat(HELLO, { signal: AbortSignal.abort() }));
      assert.equal(e.reason, 'cancelled');
      assert.equal(server.requests.length, 0);
    });
  });
});
