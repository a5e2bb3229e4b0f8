import * as vscode from 'vscode';
import { DfError } from '../../core/errors';
import { SettingKeys, type DfSettings } from '../settings';

type LmPin = Pick<DfSettings, 'modelVendor' | 'modelFamily'>;

/** `dynaforge.model.vendor` / `dynaforge.model.family` as a selector; `{}` when neither is set (any model). */
export function lmSelector(pin: LmPin): vscode.LanguageModelChatSelector {
  return { ...(pin.modelVendor ? { vendor: pin.modelVendor } : {}), ...(pin.modelFamily ? { family: pin.modelFamily } : {}) };
}

function matches(model: vscode.LanguageModelChat, selector: vscode.LanguageModelChatSelector): boolean {
  return (!selector.vendor || model.vendor === selector.vendor) && (!selector.family || model.family === selector.family);
}

/**
 * The VS Code language model the agents use. The chat request's model wins when it fits the
 * pin (the vendor/family settings) or nothing is pinned; with a pin it does not fit, or with no
 * chat at hand (palette, tree), the first model `vscode.lm.selectChatModels` offers for the pin.
 * Undefined with neither a pin nor a chat model: the caller decides (the palette asks which).
 * A pin nothing matches is an error naming the settings and the models there are.
 */
export async function selectLmModel(pin: LmPin, chat: vscode.LanguageModelChat | undefined): Promise<vscode.LanguageModelChat | undefined> {
  const selector = lmSelector(pin);
  if (chat && matches(chat, selector)) return chat;
  if (!selector.vendor && !selector.family) return undefined;
  const [first] = await vscode.lm.selectChatModels(selector);
  if (first) return first;
  const keys = [selector.vendor ? SettingKeys.ModelVendor : '', selector.family ? SettingKeys.ModelFamily : ''].filter(Boolean);
  const wanted = [selector.vendor ? `vendor "${selector.vendor}"` : '', selector.family ? `family "${selector.family}"` : ''].filter(Boolean).join(' and ');
  const offered = [...new Set((await vscode.lm.selectChatModels()).map((m) => `${m.vendor}/${m.family}`))];
  const choose = offered.length ? `set them to a vendor/family VS Code offers (${offered.join(', ')})` : 'sign in to Copilot or install a language-model provider that offers it';
  throw new DfError('not-found', `no VS Code language model matches ${wanted} (${keys.join(', ')})`, `${choose}, or clear ${keys.join(' and ')} to use the chat's model`, { field: keys.join(', ') });
}
