import { isAbsolute, relative, resolve } from 'node:path';
import { CONFIG_REL } from '../config/loadConfig';
import type { Clock } from '../ports/clock';
import type { Config } from '../schema/config';
import type { CassetteFile } from './cassette';
import { ModelError } from './modelError';
import type { ModelPort, ModelProvider } from './modelPort';
import { noModel } from './noneModel';
import { OpenAiCompatibleModel, type Sleep } from './openaiCompatible';
import { RecordingModel, type RecordMode } from './recordingModel';
import { ScriptedModel } from './scriptedModel';
import { API_KEY_ENV, resolveApiKey } from './secrets';
import { VscodeLmModel, type VscodeLmBridge } from './vscodeLm';

export interface ModelDeps {
  /** The project root: a relative cassette path is resolved against it. */
  readonly root: string;
  /** Given by the VS Code face; without it `vscode-lm` is an error. */
  readonly vscodeLm?: VscodeLmBridge;
  readonly fetch?: typeof fetch;
  readonly sleep?: Sleep;
  readonly clock?: Clock;
  /** Values that win over the environment and config.yaml (the VS Code settings), each named for messages. */
  readonly overrides?: ModelOverrides;
}

/** One value set outside config.yaml, and the name of the place that sets it (e.g. a VS Code setting). */
export interface ModelOverride {
  /** Blank: not set here, the environment and config.yaml decide. */
  readonly value: string | undefined;
  readonly name: string;
}

export interface ModelOverrides {
  readonly provider?: ModelOverride;
  readonly url?: ModelOverride;
  readonly model?: ModelOverride;
}

const PROVIDERS: readonly ModelProvider[] = ['none', 'scripted', 'openai-compatible', 'vscode-lm'];
const RECORD_MODES = ['off', 'missing', 'all'] as const;

/** Env overrides of `model.*` in config.yaml, for one run (CI, `make demo`, recording). */
export const MODEL_ENV = {
  provider: 'DYNAFORGE_MODEL_PROVIDER',
  url: 'DYNAFORGE_MODEL_URL',
  model: 'DYNAFORGE_MODEL',
  cassette: 'DYNAFORGE_MODEL_CASSETTE',
  record: 'DYNAFORGE_MODEL_RECORD',
} as const;

/** A setting from config.yaml is an `invalid-schema` error at its field; one from the environment a `usage` error naming the variable. */
function configError(field: string, message: string, fix: string, env?: string): ModelError {
  return env ? new ModelError('config', 'usage', message, fix, { field: env }) : new ModelError('config', 'invalid-schema', message, fix, { file: CONFIG_REL, field: `model.${field}` });
}

/** The override if set, else `env[name]` if set and not blank, else `fallback`; says which won, for error messages. */
function pick<T extends string>(env: NodeJS.ProcessEnv, name: string, fallback: T | undefined, override?: ModelOverride): { value: T | undefined; from?: string } {
  const o = override?.value?.trim();
  if (o && override) return { value: o as T, from: override.name };
  const v = env[name]?.trim();
  return v ? { value: v as T, from: name } : { value: fallback || undefined };
}

function oneOf<T extends string>(picked: { value: T | undefined; from?: string }, allowed: readonly T[], field: string): T | undefined {
  if (picked.value === undefined || allowed.includes(picked.value)) return picked.value;
  throw configError(field, `${picked.from ?? `model.${field}`} is "${picked.value}", which is not one of ${allowed.join(', ')}`, `set it to one of ${allowed.join(', ')}`, picked.from);
}

/** An http(s) URL without credentials (they would end up in messages; the key belongs in the env). */
function checkUrl(value: string, from: string | undefined): void {
  const where = from ?? 'model.url';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw configError('url', `${where} is not a URL`, 'set it to the API base, e.g. http://127.0.0.1:11434/v1', from);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw configError('url', `${where} is not an http(s) URL`, 'set it to the API base, e.g. http://127.0.0.1:11434/v1', from);
  if (u.username || u.password) throw configError('url', `${where} holds credentials (user:password@)`, `remove them from the URL; put the API key in ${API_KEY_ENV[0]}`, from);
}

/** openai-compatible without `field`: the fix names the override's place first when there is one (a VS Code setting). */
function missing(field: 'url' | 'model', override: ModelOverride | undefined, what: string, env: string): ModelError {
  if (override) return configError(field, `the model provider openai-compatible needs ${override.name}, which is not set`, `set ${override.name} to ${what} (or model.${field} in ${CONFIG_REL})`, override.name);
  return configError(field, `model.provider openai-compatible needs model.${field}, which is not set`, `set model.${field} in ${CONFIG_REL} to ${what} (or ${env})`);
}

/**
 * The model the configuration asks for: `config.model` with the DYNAFORGE_MODEL_* overrides
 * from `env`, and `deps.overrides` over both; the API key from `env` only. Incomplete settings
 * fail here, before any call, naming the key (or setting) to set.
 */
export function createModel(config: Pick<Config, 'model'>, env: NodeJS.ProcessEnv, deps: ModelDeps): ModelPort {
  const m = config.model;
  const o = deps.overrides ?? {};
  const provider = oneOf(pick(env, MODEL_ENV.provider, m.provider, o.provider), PROVIDERS, 'provider') ?? 'none';
  const record = oneOf(pick(env, MODEL_ENV.record, m.record), RECORD_MODES, 'record') ?? 'off';
  const cassettePath = pick(env, MODEL_ENV.cassette, m.cassette).value;
  const cassette = (): CassetteFile => {
    if (!cassettePath) {
      throw configError('cassette', `model.provider ${provider}${record !== 'off' ? ` with record: ${record}` : ''} needs a cassette, and model.cassette is not set`, `set model.cassette in ${CONFIG_REL} to a path such as test/cassettes/demo.jsonl (or DYNAFORGE_MODEL_CASSETTE)`);
    }
    const file = resolve(deps.root, cassettePath);
    const rel = relative(deps.root, file);
    return { file, display: rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : file };
  };

  if (provider === 'none' || provider === 'scripted') {
    if (record !== 'off') {
      throw configError('record', `record: ${record} needs a real model to record from, but model.provider is ${provider}`, 'set model.provider (or DYNAFORGE_MODEL_PROVIDER) to openai-compatible or vscode-lm while recording; replay with scripted');
    }
    return provider === 'none' ? noModel : new ScriptedModel(cassette());
  }

  let real: ModelPort;
  if (provider === 'vscode-lm') {
    if (!deps.vscodeLm) {
      throw configError('provider', 'model.provider vscode-lm works only inside VS Code', 'outside VS Code set model.provider to openai-compatible (or scripted, to replay a cassette), e.g. for one run DYNAFORGE_MODEL_PROVIDER=openai-compatible');
    }
    real = new VscodeLmModel(deps.vscodeLm);
  } else {
    const url = pick(env, MODEL_ENV.url, m.url, o.url);
    const model = pick(env, MODEL_ENV.model, m.model, o.model);
    if (!url.value) throw missing('url', o.url, 'the API base, e.g. http://127.0.0.1:11434/v1 for Ollama', MODEL_ENV.url);
    checkUrl(url.value, url.from);
    if (!model.value) throw missing('model', o.model, "the server's model name, e.g. llama3.1", MODEL_ENV.model);
    real = new OpenAiCompatibleModel({
      url: url.value,
      model: model.value,
      apiKey: resolveApiKey(env),
      timeoutMs: m.timeout_s * 1000,
      retries: m.retries,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
  }
  return record === 'off' ? real : new RecordingModel(real, cassette(), record satisfies RecordMode);
}
