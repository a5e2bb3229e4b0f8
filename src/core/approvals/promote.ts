import { sha256 } from '../canonical';
import { DfError } from '../errors';
import { MATURITY_LEVELS, type Change, type MaturityLevel } from '../schema/change';
import { serializeChange } from '../store/changeStore';
import type { Workspace } from '../workspace';

export interface PromoteResult {
  readonly change: Change;
  readonly from: MaturityLevel;
  /** Stages whose current approvals no longer hold (they were for the old level). */
  readonly rerun: string[];
  /** The verdict that was cleared: the QA policy of the new level has not judged the change yet. */
  readonly clearedVerdict?: string;
}

/**
 * Promotes a change to a higher maturity level (DESIGN.md §4: "promotion re-runs Validate
 * and Package"). The Validate and Package approvals were taken at the old level, so they go
 * stale (see approvalState); the QA verdict is cleared because the new level's policy has not
 * judged the change. Demotion is refused: lowering the bar is not a promotion.
 */
export async function promote(ws: Workspace, chId: string, to: MaturityLevel, correlationId: string): Promise<PromoteResult> {
  const change = ws.store.read(chId);
  const from = change.maturity_level;
  if (MATURITY_LEVELS.indexOf(to) <= MATURITY_LEVELS.indexOf(from)) {
    throw new DfError('usage', `${chId} is at ${from}: ${to} is not a promotion`, `give a level above ${from} (${MATURITY_LEVELS.slice(MATURITY_LEVELS.indexOf(from) + 1).join(', ') || 'none: it is at the top'})`, { field: '--to' });
  }
  if (change.status !== 'open') throw new DfError('conflict', `${chId} is ${change.status}: it cannot be promoted`, 'promote an open change', { file: ws.store.relFile(chId), field: 'status' });
  const rerun = [...new Set(change.approvals.filter((a) => a.decision === 'approved' && (a.stage === 'validate' || a.stage === 'package')).map((a) => a.stage))];
  const cleared = change.qa_verdict?.verdict;
  const updated = await ws.store.update(chId, (c) => {
    const { qa_verdict: _dropped, ...rest } = c;
    return { ...rest, maturity_level: to };
  });
  await ws.audit.append({ type: 'change.updated', ch_id: chId, actor: ws.actor('user'), correlation_id: correlationId, payload: { fields: ['maturity_level', ...(cleared ? ['qa_verdict'] : [])], file: ws.store.relFile(chId), hash: sha256(serializeChange(updated)) } });
  return { change: updated, from, rerun, ...(cleared ? { clearedVerdict: cleared } : {}) };
}
