import * as vscode from 'vscode';
import { STAGES, type Stage } from '../../core/schema/change';
import type { ProjectModel } from '../project/projectModel';
import type { ChangeView } from '../project/snapshot';

export interface ChangeItem extends vscode.QuickPickItem {
  readonly id: string;
}

/**
 * Quick pick of a change; the active one first, after `first` (choices that are not a change,
 * e.g. "All changes": their `id` is returned). Undefined when cancelled or there is none.
 */
export async function pickChange(model: ProjectModel, placeHolder: string, filter: (c: ChangeView) => boolean = () => true, first: readonly ChangeItem[] = []): Promise<string | undefined> {
  const { changes, active } = model.snapshot;
  const items: ChangeItem[] = changes
    .filter(filter)
    .sort((a, b) => Number(b.change.id === active?.id) - Number(a.change.id === active?.id))
    .map((c) => ({
      id: c.change.id,
      label: c.change.id,
      description: c.change.title,
      detail: c.status ? `${c.status.lifecycle} · stage ${c.status.stage}${c.change.id === active?.id ? ' · active' : ''}` : c.error?.message,
    }));
  if (!items.length && !first.length) {
    void vscode.window.showInformationMessage('Dynaforge: there is no change to choose. Create one with "Dynaforge: New Change…".');
    return undefined;
  }
  return (await vscode.window.showQuickPick([...first, ...items], { title: 'Dynaforge', placeHolder, matchOnDescription: true }))?.id;
}

/** Quick pick of a stage, `suggested` (the change's current stage) first. */
export async function pickStage(placeHolder: string, suggested?: Stage): Promise<Stage | undefined> {
  const order = suggested ? [suggested, ...STAGES.filter((s) => s !== suggested)] : [...STAGES];
  const items = order.map((s) => ({ label: s, description: s === suggested ? 'current stage' : '' }));
  return (await vscode.window.showQuickPick(items, { title: 'Dynaforge', placeHolder }))?.label as Stage | undefined;
}

/**
 * A note: `required` ones must not be blank. Returns undefined when cancelled, '' for an
 * optional note left empty.
 */
export async function askNote(prompt: string, required: boolean): Promise<string | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Dynaforge',
    prompt,
    placeHolder: required ? 'required' : 'optional: press Enter to skip',
    ignoreFocusOut: true,
    validateInput: (v) => (required && !v.trim() ? 'a reason is required' : undefined),
  });
  return text === undefined ? undefined : text.trim();
}
