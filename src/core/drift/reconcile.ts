import { recordDecision } from '../approvals/approvals';
import { deriveAndRecord } from '../artifacts/deriveRecorded';
import { capture } from '../capture/capture';
import { DfError } from '../errors';
import { writeImpact } from '../impact/impact';
import type { Actor } from '../schema/audit';
import type { Stage } from '../schema/change';
import { parseChangeId } from '../store/changeIds';
import type { Workspace } from '../workspace';
import type { Finding, FixAction } from './model';

export interface ActionOptions {
  /** `attach`: the change to attach to (default: the item's change, or its only suggestion). */
  readonly to?: string;
  /** Required for `accept`; recorded with every action. */
  readonly note?: string;
  readonly actor: Actor;
  readonly correlationId: string;
}

export interface ActionOutcome {
  readonly key: string;
  readonly action: FixAction;
  /** What the action produced: files written, changes created or attached to, evidence refs. */
  readonly result: string[];
}

/**
 * Applies one fix action to one item and records a `drift.reconciled` event (in the item's
 * change stream, else the project stream) next to the events the action itself writes
 * (artifact.derived, approval.recorded, change.captured, …).
 */
export async function applyAction(ws: Workspace, item: Finding, action: FixAction, opts: ActionOptions): Promise<ActionOutcome> {
  if (!item.actions.includes(action)) {
    throw new DfError('usage', `${item.key} cannot be fixed with "${action}"`, item.actions.length ? `use one of: ${item.actions.join(', ')}` : item.fix, { field: '--apply' });
  }
  const note = opts.note?.trim();
  const result = await perform(ws, item, action, opts, note);
  await ws.audit.append({
    type: 'drift.reconciled',
    ...(item.ch_id ? { ch_id: item.ch_id } : {}),
    actor: opts.actor,
    correlation_id: opts.correlationId,
    payload: { key: item.key, kind: item.kind, action, fingerprint: item.fingerprint, ...(note ? { note } : {}), result },
  });
  return { key: item.key, action, result };
}

async function perform(ws: Workspace, item: Finding, action: FixAction, opts: ActionOptions, note: string | undefined): Promise<string[]> {
  const t = item.target;
  switch (action) {
    case 'accept':
      if (!note) throw new DfError('usage', `accepting ${item.key} needs a note saying why it is intentional`, 'add --note "why this is fine"', { field: '--note' });
      return [];
    case 'regenerate': {
      if (t.type !== 'artifact' || !item.ch_id) break;
      if (t.artifact === 'impact') {
        const w = await writeImpact(ws, item.ch_id, opts.actor, opts.correlationId);
        return [w.file];
      }
      if (t.artifact === 'brief') break;
      const r = await deriveAndRecord(ws, item.ch_id, t.artifact, opts.actor, opts.correlationId);
      return [r.file];
    }
    case 're-approve': {
      if (t.type !== 'approval' || !item.ch_id) break;
      const d = await recordDecision(ws, { chId: item.ch_id, stage: t.stage as Stage, decision: 'approved', ...(t.sub_scope ? { subScope: t.sub_scope } : {}), ...(note ? { note } : {}) }, opts.correlationId);
      return [`${d.change.id} ${t.stage} approved by ${d.approval.by}`];
    }
    case 'attach': {
      if (t.type !== 'commits') break;
      const to = opts.to !== undefined ? parseChangeId(opts.to) : (item.ch_id ?? (t.suggested?.length === 1 ? t.suggested[0] : undefined));
      if (!to) {
        throw new DfError('usage', `attach ${item.key} to which change?`, t.suggested?.length ? `add --to with one of: ${t.suggested.join(', ')}` : 'add --to CH-###', { field: '--to' });
      }
      const r = await capture(ws, { from: t.range, into: to, actor: opts.actor, correlationId: opts.correlationId });
      return [r.change.id, r.evidenceRef];
    }
    case 'capture': {
      if (t.type !== 'commits') break;
      const r = await capture(ws, { from: t.range, actor: opts.actor, correlationId: opts.correlationId });
      return [r.change.id, r.evidenceRef];
    }
  }
  throw new Error(`${item.key} offers "${action}" but has no target for it`); // a bug in how the item was built
}
