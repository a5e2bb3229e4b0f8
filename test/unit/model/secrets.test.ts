import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import { createModel } from '../../../src/core/model/createModel';
import { ModelError } from '../../../src/core/model/modelError';
import { collectStream, type ChatRequest, type ModelPort } from '../../../src/core/model/modelPort';
import { OpenAiCompatibleModel } from '../../../src/core/model/openaiCompatible';
import { API_KEY_ENV, displayUrl, redact, resolveApiKey } from '../../../src/core/model/secrets';
import { ConfigSchema } from '../../../src/core/schema/config';
import { chunk, completion, DONE, startFakeServer, type FakeServer, type Reply } from './fakeOpenAiServer';

const KEY = 'sk-proj-Vb7Q2mXc9LpR4tYw8ZsK1n';
const HELLO: ChatRequest = { messages: [{ role: 'user', content: 'hi' }] };

/** Every way an error could be shown, logged or serialised. */
function everyRendering(e: unknown): string {
  assert.ok(e instanceof ModelError, `expected a ModelError, got ${String(e)}`);
  return [e.message, e.fix, e.stack ?? '', JSON.stringify(e.toJSON()), inspect(e, { depth: 10 }), String(e.cause ?? ''), e.location()].join('\n');
}

describe('model: secrets', function () {
  this.timeout(20_000);

  describe('redact', () => {
    it('masks the key as is, JSON-escaped and URL-encoded', () => {
      const key = 'k3y/with"quote+plus';
      const text = `raw ${key} json ${JSON.stringify(key)} url ${encodeURIComponent(key)}`;
      const out = redact(text, [key]);
      assert.equal(out, 'raw *** json "***" url ***');
    });

    it('masks bearer tokens, sk- keys, URL credentials and key-like query parameters it was not told about', () => {
      assert.equal(redact('Authorization: Bearer abc.def-123'), 'Authorization: Bearer ***');
      assert.equal(redact('Incorrect API key provided: sk-abcdefghijklmnop.'), 'Incorrect API key provided: ***.');
      assert.equal(displayUrl('https://me:s3cret@models.internal/v1'), 'https://***@models.internal/v1');
      assert.equal(displayUrl('http://127.0.0.1:8000/v1?api-key=zzz&x=1'), 'http://127.0.0.1:8000/v1?api-key=***&x=1');
      assert.equal(redact('nothing secret here: http://127.0.0.1:11434/v1'), 'nothing secret here: http://127.0.0.1:11434/v1');
    });

    it('the key comes from the environment only, DYNAFORGE_MODEL_API_KEY first, blank values skipped', () => {
      assert.deepEqual(API_KEY_ENV, ['DYNAFORGE_MODEL_API_KEY', 'DYNAFORGE_MODEL_KEY', 'OPENAI_API_KEY']);
      assert.deepEqual(resolveApiKey({ OPENAI_API_KEY: 'o', DYNAFORGE_MODEL_API_KEY: 'd' }), { value: 'd', from: 'DYNAFORGE_MODEL_API_KEY' });
      assert.deepEqual(resolveApiKey({ OPENAI_API_KEY: ' o\n', DYNAFORGE_MODEL_API_KEY: '  ' }), { value: 'o', from: 'OPENAI_API_KEY' });
      assert.equal(resolveApiKey({}), undefined);
      // config.yaml has no place for a key: an `api_key` there is an unknown-key error.
      assert.equal(ConfigSchema.safeParse({ model: { provider: 'openai-compatible', api_key: 'x' } }).success, false);
    });
  });

  describe('the API key never appears in an error', () => {
    let server: FakeServer;
    beforeEach(async () => (server = await startFakeServer()));
    afterEach(() => server.close());

    const echo = (status: number, text: (auth: string) => string, contentType = 'application/json'): Reply => ({
      kind: 'custom',
      respond: (seen, res) => res.writeHead(status, { 'content-type': contentType }).end(text(seen.authorization ?? '(none)')),
    });
    const model = (url = server.url): ModelPort =>
      createModel(ConfigSchema.parse({ model: { provider: 'openai-compatible', url, model: 'tiny', retries: 1, timeout_s: 0.3 } }), { DYNAFORGE_MODEL_API_KEY: KEY }, { root: '/', sleep: async () => undefined });

    it('is sent as a Bearer header, and is redacted from every failure, even when the server echoes it', async () => {
      const bare = KEY;
      const scenarios: [string, Reply[], 'chat' | 'stream'][] = [
        ['401 quoting the key', [echo(401, () => JSON.stringify({ error: { message: `Incorrect API key provided: ${bare}` } }))], 'chat'],
        ['403 echoing the header', [echo(403, (auth) => `forbidden for ${auth}`, 'text/plain')], 'chat'],
        ['500 twice, echoing the header', [echo(500, (auth) => JSON.stringify({ error: { message: `upstream saw ${auth}` } })), echo(500, (auth) => JSON.stringify({ error: `upstream saw ${auth}` }))], 'chat'],
        ['429 with a huge Retry-After', [{ kind: 'custom', respond: (s, res) => res.writeHead(429, { 'retry-after': '99999' }).end(`key ${s.authorization}`) }], 'chat'],
        ['a body that is not JSON', [echo(200, (auth) => `<pre>${auth}</pre>`, 'text/html')], 'chat'],
        ['a body with no choices', [echo(200, () => JSON.stringify({ echo: bare }))], 'chat'],
        ['an error object', [echo(200, () => JSON.stringify({ error: { message: `bad key ${bare}` } }))], 'chat'],
        ['bad tool arguments', [{ kind: 'json', body: completion(null, { toolCalls: [{ id: 'c', name: 'f', arguments: `{"k": "${bare}"` }] }) }], 'chat'],
        ['a line that is not SSE', [{ kind: 'sse', pieces: [chunk({ content: 'a' }), `${bare}\n`, DONE] }], 'stream'],
        ['SSE data that is not JSON', [{ kind: 'sse', pieces: [`data: {${bare}\n\n`] }], 'stream'],
        ['an error event mid-stream', [{ kind: 'sse', pieces: [`data: ${JSON.stringify({ error: { message: bare } })}\n\n`] }], 'stream'],
        ['a hang', [{ kind: 'hang' }], 'chat'],
      ];
      for (const [name, replies, how] of scenarios) {
        server.reply(...replies);
        const before = server.requests.length;
        const m = model();
        let caught: unknown;
        try {
          if (how === 'chat') await m.chat(HELLO);
          else await collectStream(m.stream(HELLO));
        } catch (e) {
          caught = e;
        }
        assert.ok(caught, `${name}: no error`);
        const shown = everyRendering(caught);
        assert.ok(!shown.includes(KEY), `${name}: the key leaked into\n${shown}`);
        assert.ok(!shown.includes(KEY.slice(8)), `${name}: part of the key leaked`);
        assert.equal(server.requests[before]?.authorization, `Bearer ${KEY}`, `${name}: the key was sent`);
        assert.ok(!m.description.includes(KEY));
      }
    });

    it('is redacted from connection errors, from a URL that carries it, and from a refused key', async () => {
      const inUrl = server.url.replace('http://', `http://user:${KEY}@`);
      // createModel refuses a URL with credentials, without quoting it …
      assert.throws(() => model(inUrl), (e) => !everyRendering(e).includes(KEY) && /holds credentials/.test((e as ModelError).message));
      // … and a client built directly with one neither shows it nor lets fetch's error quote it.
      const direct = new OpenAiCompatibleModel({ url: inUrl, model: 'tiny', apiKey: { value: KEY, from: 'OPENAI_API_KEY' } });
      assert.ok(!direct.description.includes(KEY));
      let caught: unknown;
      try {
        await direct.chat(HELLO);
      } catch (e) {
        caught = e;
      }
      assert.ok(!everyRendering(caught).includes(KEY));

      const bad = `${KEY}\nX-Injected: 1`;
      try {
        new OpenAiCompatibleModel({ url: server.url, model: 'tiny', apiKey: { value: bad, from: 'OPENAI_API_KEY' } });
        assert.fail('a key with a line break was accepted');
      } catch (e) {
        const shown = everyRendering(e);
        assert.ok(!shown.includes(KEY));
        assert.match((e as ModelError).message, /the API key in OPENAI_API_KEY holds characters an HTTP header cannot carry/);
      }
    });
  });
});
