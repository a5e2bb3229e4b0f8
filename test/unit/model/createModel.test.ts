import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, type ModelDeps } from '../../../src/core/model/createModel';
import { ModelError } from '../../../src/core/model/modelError';
import { collectStream, type ChatRequest } from '../../../src/core/model/modelPort';
import { noModel } from '../../../src/core/model/noneModel';
import { ScriptedModel } from '../../../src/core/model/scriptedModel';
import type { VscodeLmBridge } from '../../../src/core/model/vscodeLm';
import { ConfigSchema } from '../../../src/core/schema/config';
import { completion, startFakeServer } from './fakeOpenAiServer';
import { rejection } from './modelAsserts';

const HI: ChatRequest = { messages: [{ role: 'user', content: 'hi' }] };
const config = (model: Record<string, unknown> = {}) => ConfigSchema.parse({ model });

function thrown(fn: () => unknown): ModelError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ModelError, `expected a ModelError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('model: createModel and the none provider', () => {
  let root: string;
  let deps: ModelDeps;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'df-model-'));
    deps = { root, sleep: async () => undefined };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('the config defaults are none, record off, 120 s, 3 retries', () => {
    assert.deepEqual(config().model, { provider: 'none', record: 'off', timeout_s: 120, retries: 3 });
    assert.equal(ConfigSchema.safeParse({ model: { record: 'sometimes' } }).success, false);
    assert.equal(ConfigSchema.safeParse({ model: { retries: -1 } }).success, false);
  });

  it('none: calling it is an error that says no model is configured and how to configure one', async () => {
    const m = createModel(config(), {}, deps);
    assert.equal(m, noModel);
    assert.equal(m.provider, 'none');
    const e = await rejection(m.chat(HI));
    assert.equal(e.reason, 'not-configured');
    assert.equal(e.message, 'no language model is configured (model.provider is none)');
    assert.deepEqual(e.where, { file: '.dynaforge/config.yaml', field: 'model.provider' });
    for (const hint of ['openai-compatible', 'model.url', 'DYNAFORGE_MODEL_API_KEY', 'vscode-lm', 'scripted', 'model.cassette', 'DYNAFORGE_MODEL_PROVIDER']) assert.ok(e.fix.includes(hint), hint);
    assert.equal((await rejection(collectStream(m.stream(HI)))).reason, 'not-configured');
  });

  it('scripted: needs a cassette; a relative path is resolved against the project root and shown relative', () => {
    const e = thrown(() => createModel(config({ provider: 'scripted' }), {}, deps));
    assert.equal(e.reason, 'config');
    assert.match(e.message, /needs a cassette, and model\.cassette is not set/);
    assert.match(e.fix, /DYNAFORGE_MODEL_CASSETTE/);
    assert.deepEqual(e.where, { file: '.dynaforge/config.yaml', field: 'model.cassette' });

    const m = createModel(config({ provider: 'scripted', cassette: 'test/cassettes/demo.jsonl' }), {}, deps);
    assert.ok(m instanceof ScriptedModel);
    assert.equal(m.description, 'scripted (cassette test/cassettes/demo.jsonl)');
    const outside = createModel(config({ provider: 'scripted', cassette: '/elsewhere/c.jsonl' }), {}, deps);
    assert.equal(outside.description, 'scripted (cassette /elsewhere/c.jsonl)');
  });

  it('openai-compatible: needs a URL and a model, from config.yaml or the environment', async () => {
    const noUrl = thrown(() => createModel(config({ provider: 'openai-compatible', model: 'tiny' }), {}, deps));
    assert.match(noUrl.message, /needs model\.url/);
    assert.match(noUrl.fix, /DYNAFORGE_MODEL_URL/);
    const noModelName = thrown(() => createModel(config({ provider: 'openai-compatible', url: 'http://127.0.0.1:9/v1' }), {}, deps));
    assert.match(noModelName.message, /needs model\.model/);
    assert.match(noModelName.fix, /DYNAFORGE_MODEL\)/);
    const badEnvUrl = thrown(() => createModel(config({ provider: 'openai-compatible', model: 'tiny' }), { DYNAFORGE_MODEL_URL: 'ftp://x/v1' }, deps));
    assert.equal(badEnvUrl.message, 'DYNAFORGE_MODEL_URL is not an http(s) URL');
    assert.deepEqual(badEnvUrl.where, { field: 'DYNAFORGE_MODEL_URL' });

    const server = await startFakeServer();
    try {
      server.reply({ kind: 'json', body: completion('from env') });
      const m = createModel(config({ provider: 'openai-compatible', url: 'http://127.0.0.1:9/v1', model: 'ignored' }), { DYNAFORGE_MODEL_URL: server.url, DYNAFORGE_MODEL: 'env-model', OPENAI_API_KEY: 'generic', DYNAFORGE_MODEL_API_KEY: 'specific' }, deps);
      assert.equal(m.description, `openai-compatible env-model at ${server.url}`);
      assert.equal((await m.chat(HI)).text, 'from env');
      assert.equal(server.requests[0]?.body.model, 'env-model');
      assert.equal(server.requests[0]?.authorization, 'Bearer specific');
    } finally {
      await server.close();
    }
  });

  it('config timeout_s and retries reach the client', async () => {
    const server = await startFakeServer();
    try {
      for (let i = 0; i < 3; i++) server.reply({ kind: 'json', status: 503, body: {} });
      const sleeps: number[] = [];
      const m = createModel(config({ provider: 'openai-compatible', url: server.url, model: 'tiny', retries: 2 }), {}, { root, sleep: async (ms) => void sleeps.push(ms) });
      const e = await rejection(m.chat(HI));
      assert.equal(e.attempts, 3);
      assert.deepEqual(sleeps, [500, 1000]);

      server.reply({ kind: 'hang' });
      const slow = createModel(config({ provider: 'openai-compatible', url: server.url, model: 'tiny', timeout_s: 0.2 }), {}, deps);
      assert.match((await rejection(slow.chat(HI))).message, /did not answer within 0\.2 s/);
    } finally {
      await server.close();
    }
  });

  it('DYNAFORGE_MODEL_PROVIDER overrides the provider; an unknown value is an error naming the variable', () => {
    assert.ok(createModel(config(), { DYNAFORGE_MODEL_PROVIDER: 'scripted', DYNAFORGE_MODEL_CASSETTE: 'c.jsonl' }, deps) instanceof ScriptedModel);
    assert.equal(createModel(config({ provider: 'scripted', cassette: 'c.jsonl' }), { DYNAFORGE_MODEL_PROVIDER: '  ' }, deps).provider, 'scripted', 'a blank variable is unset');
    const e = thrown(() => createModel(config(), { DYNAFORGE_MODEL_PROVIDER: 'ollama' }, deps));
    assert.equal(e.message, 'DYNAFORGE_MODEL_PROVIDER is "ollama", which is not one of none, scripted, openai-compatible, vscode-lm');
    assert.deepEqual(e.where, { field: 'DYNAFORGE_MODEL_PROVIDER' });
    assert.match(thrown(() => createModel(config(), { DYNAFORGE_MODEL_RECORD: 'yes' }, deps)).message, /DYNAFORGE_MODEL_RECORD is "yes"/);
  });

  it('record mode wraps a real provider and needs a cassette; with none or scripted it is an error', async () => {
    assert.match(thrown(() => createModel(config({ provider: 'scripted', cassette: 'c.jsonl', record: 'missing' }), {}, deps)).message, /record: missing needs a real model to record from, but model\.provider is scripted/);
    assert.match(thrown(() => createModel(config({ record: 'all' }), {}, deps)).message, /model\.provider is none/);
    assert.match(thrown(() => createModel(config({ provider: 'openai-compatible', url: 'http://127.0.0.1:9/v1', model: 'm' }), { DYNAFORGE_MODEL_RECORD: 'missing' }, deps)).message, /with record: missing needs a cassette/);

    const server = await startFakeServer();
    try {
      server.reply({ kind: 'json', body: completion('recorded', { usage: false }) });
      const env = { DYNAFORGE_MODEL_RECORD: 'missing', DYNAFORGE_MODEL_CASSETTE: 'cassettes/rec.jsonl' };
      const rec = createModel(config({ provider: 'openai-compatible', url: server.url, model: 'tiny' }), env, deps);
      assert.equal(rec.provider, 'openai-compatible');
      assert.equal(rec.description, `openai-compatible tiny at ${server.url}, recording missing answers to cassettes/rec.jsonl`);
      assert.equal((await rec.chat(HI)).text, 'recorded');
      assert.equal(readFileSync(join(root, 'cassettes/rec.jsonl'), 'utf8').split('\n').filter(Boolean).length, 1);
      // Replay: the same settings with provider scripted, and no server.
      const replay = createModel(config({ provider: 'scripted', cassette: 'cassettes/rec.jsonl' }), {}, deps);
      assert.deepEqual(await replay.chat(HI), { text: 'recorded', toolCalls: [], finishReason: 'stop' });
    } finally {
      await server.close();
    }
  });

  it('vscode-lm: needs the bridge the VS Code face passes in', async () => {
    const e = thrown(() => createModel(config({ provider: 'vscode-lm' }), {}, deps));
    assert.equal(e.message, 'model.provider vscode-lm works only inside VS Code');
    assert.match(e.fix, /openai-compatible/);
    const bridge: VscodeLmBridge = {
      modelName: 'copilot gpt-test',
      sendRequest: async () =>
        (async function* () {
          yield { kind: 'text' as const, value: 'from vs code' };
        })(),
    };
    const m = createModel(config({ provider: 'vscode-lm' }), {}, { ...deps, vscodeLm: bridge });
    assert.equal(m.description, 'vscode-lm copilot gpt-test');
    assert.equal((await m.chat(HI)).text, 'from vs code');
  });

  it('a URL with credentials is refused (the key belongs in the environment)', () => {
    const e = thrown(() => createModel(config({ provider: 'openai-compatible', url: 'http://me:pw@127.0.0.1:9/v1', model: 'm' }), {}, deps));
    assert.equal(e.message, 'model.url holds credentials (user:password@)');
    assert.match(e.fix, /DYNAFORGE_MODEL_API_KEY/);
    assert.ok(!JSON.stringify(e.toJSON()).includes('pw'));
  });

  it('overrides (the VS Code settings) win over the environment and config.yaml; their errors name the setting', async () => {
    const names = { provider: 'dynaforge.model.source', url: 'dynaforge.model.url', model: 'dynaforge.model.name' };
    const overrides = (url: string | undefined, model: string | undefined): ModelDeps['overrides'] => ({ provider: { value: 'openai-compatible', name: names.provider }, url: { value: url, name: names.url }, model: { value: model, name: names.model } });
    const bad = thrown(() => createModel(config(), { DYNAFORGE_MODEL_URL: 'http://127.0.0.1:9/v1' }, { ...deps, overrides: overrides('127.0.0.1 port 11434', 'tiny') }));
    assert.equal(bad.message, 'dynaforge.model.url is not a URL');
    assert.equal(bad.code, 'usage');
    assert.deepEqual(bad.where, { field: 'dynaforge.model.url' });
    assert.match(bad.fix, /http:\/\/127\.0\.0\.1:11434\/v1/);
    const noUrl = thrown(() => createModel(config(), {}, { ...deps, overrides: overrides('  ', 'tiny') }));
    assert.equal(noUrl.message, 'the model provider openai-compatible needs dynaforge.model.url, which is not set');
    assert.match(noUrl.fix, /^set dynaforge\.model\.url to the API base/);
    assert.match(thrown(() => createModel(config(), {}, { ...deps, overrides: overrides('http://127.0.0.1:9/v1', undefined) })).fix, /^set dynaforge\.model\.name to the server's model name/);
    // A blank override falls through to the environment, then to config.yaml.
    assert.equal(createModel(config({ url: 'http://127.0.0.1:9/v1' }), { DYNAFORGE_MODEL: 'env-model' }, { ...deps, overrides: overrides('', '') }).description, 'openai-compatible env-model at http://127.0.0.1:9/v1');

    const server = await startFakeServer();
    try {
      server.reply({ kind: 'json', body: completion('from the settings') });
      const m = createModel(config({ provider: 'none', url: 'http://127.0.0.1:9/v1', model: 'from-config' }), { DYNAFORGE_MODEL_PROVIDER: 'none', DYNAFORGE_MODEL: 'from-env', DYNAFORGE_MODEL_API_KEY: 'k' }, { ...deps, overrides: overrides(server.url, 'from-settings') });
      assert.equal((await m.chat(HI)).text, 'from the settings');
      assert.equal(server.requests[0]?.body.model, 'from-settings');
      assert.equal(server.requests[0]?.authorization, 'Bearer k', 'expected the key from the environment');
    } finally {
      await server.close();
    }
  });
});
