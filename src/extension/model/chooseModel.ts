import type * as vscode from 'vscode';
import { createModel, MODEL_ENV } from '../../core/model/createModel';
import type { ModelPort } from '../../core/model/modelPort';
import { noModel } from '../../core/model/noneModel';
import { VscodeLmModel } from '../../core/model/vscodeLm';
import type { Workspace } from '../../core/workspace';
import { SettingKeys, type DfSettings } from '../settings';
import { LanguageModelBridge } from './vscodeLmBridge';

export interface ModelChoice {
  readonly port: ModelPort;
  /** When there is no model (`port.provider === 'none'`): why, and what would give one. */
  readonly why?: string;
}

/**
 * The model the agents use in VS Code (`dynaforge.model.source`): `vscode-lm` is the chat's
 * model (`chat`: the request's model), `none` is template mode, and `config` follows
 * `model.provider` in config.yaml (where `vscode-lm` also means the chat's model).
 */
export function chooseModel(source: DfSettings['modelSource'], ws: Workspace, chat: vscode.LanguageModelChat | undefined): ModelChoice {
  const noChat = 'no VS Code chat model is available (sign in to Copilot, or install another language-model provider)';
  if (source === 'none') return { port: noModel, why: `the setting ${SettingKeys.ModelSource} is none` };
  if (source === 'vscode-lm') return chat ? { port: new VscodeLmModel(new LanguageModelBridge(chat)) } : { port: noModel, why: noChat };
  const provider = process.env[MODEL_ENV.provider]?.trim() || ws.config.model.provider;
  if (provider === 'vscode-lm' && !chat) return { port: noModel, why: noChat };
  if (provider === 'none') {
    const use = chat ? `to let the agents use ${chat.name}, set ${SettingKeys.ModelSource} to vscode-lm (or model.provider: vscode-lm in .dynaforge/config.yaml)` : 'configure model.provider in .dynaforge/config.yaml';
    return { port: noModel, why: `model.provider is none in .dynaforge/config.yaml; ${use}` };
  }
  return { port: createModel(ws.config, process.env, { root: ws.layout.root, clock: ws.clock, ...(chat ? { vscodeLm: new LanguageModelBridge(chat) } : {}) }) };
}
