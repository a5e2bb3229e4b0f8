import type * as vscode from 'vscode';
import { createModel, MODEL_ENV, type ModelOverrides } from '../../core/model/createModel';
import type { ModelPort } from '../../core/model/modelPort';
import { noModel } from '../../core/model/noneModel';
import { VscodeLmModel } from '../../core/model/vscodeLm';
import type { Workspace } from '../../core/workspace';
import { SettingKeys, type DfSettings } from '../settings';
import { selectLmModel } from './selectLmModel';
import { LanguageModelBridge } from './vscodeLmBridge';

export interface ModelChoice {
  readonly port: ModelPort;
  /** When there is no model (`port.provider === 'none'`): why, and what would give one. */
  readonly why?: string;
}

const NO_LM = 'no VS Code chat model is available (sign in to Copilot, or install another language-model provider)';

/**
 * `openai-compatible` from the settings: url and name win over DYNAFORGE_MODEL_* and
 * config.yaml (a blank one falls back to them), and the engine's errors name the setting.
 */
function settingsOverrides(s: DfSettings): ModelOverrides {
  return {
    provider: { value: 'openai-compatible', name: SettingKeys.ModelSource },
    url: { value: s.modelUrl, name: SettingKeys.ModelUrl },
    model: { value: s.modelName, name: SettingKeys.ModelName },
  };
}

/**
 * The model the agents use in VS Code (`dynaforge.model.source`): `vscode-lm` is a VS Code
 * language model (`chat`: the request's model, unless vendor/family pin another; see
 * selectLmModel), `openai-compatible` the engine's HTTP client with the settings' url and name,
 * `none` is template mode, and `config` follows `model.provider` in config.yaml (where
 * `vscode-lm` also means a VS Code model). Throws, naming the setting, when a setting is wrong.
 */
export async function chooseModel(s: DfSettings, ws: Workspace, chat: vscode.LanguageModelChat | undefined): Promise<ModelChoice> {
  const deps = { root: ws.layout.root, clock: ws.clock };
  switch (s.modelSource) {
    case 'none':
      return { port: noModel, why: `the setting ${SettingKeys.ModelSource} is none` };
    case 'vscode-lm': {
      const lm = await selectLmModel(s, chat);
      return lm ? { port: new VscodeLmModel(new LanguageModelBridge(lm)) } : { port: noModel, why: NO_LM };
    }
    case 'openai-compatible':
      return { port: createModel(ws.config, process.env, { ...deps, overrides: settingsOverrides(s) }) };
    case 'config':
      break;
  }
  const provider = process.env[MODEL_ENV.provider]?.trim() || ws.config.model.provider;
  if (provider === 'none') {
    const use = chat ? `to let the agents use ${chat.name}, set ${SettingKeys.ModelSource} to vscode-lm (or model.provider: vscode-lm in .dynaforge/config.yaml)` : 'configure model.provider in .dynaforge/config.yaml';
    return { port: noModel, why: `model.provider is none in .dynaforge/config.yaml; ${use}` };
  }
  const lm = provider === 'vscode-lm' ? await selectLmModel(s, chat) : undefined;
  if (provider === 'vscode-lm' && !lm) return { port: noModel, why: NO_LM };
  return { port: createModel(ws.config, process.env, { ...deps, ...(lm ? { vscodeLm: new LanguageModelBridge(lm) } : {}) }) };
}
