import { CONFIG_REL } from '../config/loadConfig';
import { ModelError } from './modelError';
import type { ChatEvent, ChatResult, ModelPort } from './modelPort';

/** What to do when a model is needed and none is configured; shared with the factory's errors. */
export const CONFIGURE_MODEL_HINT =
  `set model.provider in ${CONFIG_REL}: openai-compatible (with model.url and model.model; the key goes in DYNAFORGE_MODEL_API_KEY), vscode-lm (inside VS Code), or scripted (with model.cassette); DYNAFORGE_MODEL_PROVIDER overrides it for one run`;

export function noModelError(): ModelError {
  return new ModelError('not-configured', 'usage', 'no language model is configured (model.provider is none)', CONFIGURE_MODEL_HINT, { file: CONFIG_REL, field: 'model.provider' });
}

/**
 * `none`: there is no model. Agents check `provider === 'none'` and use their deterministic
 * templates instead; calling it anyway is a clear error, never an empty answer.
 */
export const noModel: ModelPort = {
  provider: 'none',
  description: 'no model',
  chat(): Promise<ChatResult> {
    return Promise.reject(noModelError());
  },
  stream(): AsyncIterable<ChatEvent> {
    return {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(noModelError()) }),
    };
  },
};
