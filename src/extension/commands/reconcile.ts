import * as vscode from 'vscode';
import { computeFindings } from '../../core/drift/compute';
import { DRIFT_KINDS, type Finding, type FixAction } from '../../core/drift/model';
import { applyAction } from '../../core/drift/reconcile';
import { DfError } from '../../core/errors';
import { Commands } from '../constants';
import type { Services } from '../services';
import { askNote, pickChange } from '../ui/prompts';
import { parseArg, ReconcileArg } from './args';
import type { DfCommand } from './command';

const DRIFT = new Set<string>(DRIFT_KINDS);

const ACTION_HELP: Record<FixAction, string> = {
  regenerate: 'derive the stale artifact again from its sources',
  're-approve': 'record a fresh approval of what the artifacts say now',
  attach: 'capture the commits as evidence of an existing change',
  capture: 'capture the commits as a new change',
  accept: 'accept as intentional, with a note (it returns if things move again)',
};

/**
 * Dynaforge: Reconcile… — `dynaforge reconcile [CH-###] --item <key> --apply <action>`: pick a
 * drift item and what to do about it. The item is looked up again by its key when the action
 * runs, so nothing is applied to a state that has moved on.
 */
export class ReconcileCommand implements DfCommand {
  readonly id = Commands.Reconcile;
  constructor(private readonly s: Services) {}

  async execute(arg?: unknown): Promise<unknown> {
    const a = parseArg(ReconcileArg, arg, 'Reconcile') ?? {};
    await this.s.model.whenIdle(); // pick from drift that is up to date
    const item = a.key ? this.s.model.drift.items.find((f) => f.key === a.key) : await this.pickItem(a.chId);
    if (!item && !a.key) return undefined;
    const key = a.key ?? (item as Finding).key;
    const action = a.action ?? (item ? await pickAction(item) : undefined);
    if (!action) return undefined;
    let note = a.note;
    if (note === undefined && (action === 'accept' || a.action === undefined)) {
      note = await askNote(action === 'accept' ? 'Why is this intentional? (recorded with the acceptance)' : `Note for "${action}" (recorded in the audit log)`, action === 'accept');
      if (note === undefined) return undefined;
    }
    let to = a.to;
    if (action === 'attach' && !to && !item?.ch_id) {
      const suggested = item?.target.type === 'commits' ? (item.target.suggested ?? []) : [];
      to = suggested.length === 1 ? suggested[0] : await pickChange(this.s.model, 'Attach the commits to which change?');
      if (!to) return undefined;
    }
    const chId = a.chId ?? item?.ch_id;
    const args = ['reconcile', ...(chId ? [chId] : []), '--item', key, '--apply', action, ...(to ? ['--to', to] : []), ...(note ? ['--note', note] : [])];
    const result = await this.s.runner.run({ name: 'reconcile', args, title: `${action} ${key}` }, async (ctx) => {
      const ws = await ctx.workspace();
      if (chId) ctx.chId = chId;
      const found = await computeFindings(ws, chId ? { ch: chId } : {});
      const fresh = found.items.find((f) => f.key === key);
      if (!fresh) throw new DfError('not-found', `the drift item ${key} is no longer there (fixed or accepted meanwhile)`, 'nothing to do; Dynaforge: Reconcile… lists what is left');
      return applyAction(ws, fresh, action, { ...(to ? { to } : {}), ...(note ? { note } : {}), actor: ws.actor('user'), correlationId: await ctx.correlationId() });
    });
    if (result?.ok) void vscode.window.showInformationMessage(`Dynaforge: ${action} ${key}${result.value.result.length ? ` → ${result.value.result.join(', ')}` : ''}.`);
    return result;
  }

  private async pickItem(chId: string | undefined): Promise<Finding | undefined> {
    const items = this.s.model.drift.items.filter((f) => DRIFT.has(f.kind) && (!chId || f.ch_id === chId));
    if (!items.length) {
      void vscode.window.showInformationMessage(`Dynaforge: no drift${chId ? ` in ${chId}` : ''} to reconcile.`);
      return undefined;
    }
    const picks = items.map((f) => ({ label: `${f.kind}${f.ch_id ? ` ${f.ch_id}` : ''}`, description: f.message, detail: `fix: ${f.fix}`, finding: f }));
    return (await vscode.window.showQuickPick(picks, { title: 'Dynaforge: Reconcile', placeHolder: 'The drift item to deal with', matchOnDescription: true }))?.finding;
  }
}

async function pickAction(item: Finding): Promise<FixAction | undefined> {
  if (!item.actions.length) {
    void vscode.window.showInformationMessage(`Dynaforge: nothing can be applied automatically to this item. ${item.fix}`);
    return undefined;
  }
  const picks = item.actions.map((a) => ({ label: a, description: ACTION_HELP[a], action: a }));
  return (await vscode.window.showQuickPick(picks, { title: `Dynaforge: Reconcile ${item.key}`, placeHolder: 'What to do' }))?.action;
}
