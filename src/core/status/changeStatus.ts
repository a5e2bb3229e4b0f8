import { concernsOf } from '../concerns/concerns';
import { DfError, type DfError as DfErrorType } from '../errors';
import { STAGES, RISK_TIERS, type Change, type RiskTier, type Stage } from '../schema/change';
import type { Workspace } from '../workspace';
import { deriveStatus, LIFECYCLE, type ChangeStatus, type Lifecycle } from './lifecycle';

export interface ChangeRow {
  readonly change: Change;
  readonly status: ChangeStatus;
}

export interface ListFilters {
  readonly status?: string;
  readonly stage?: string;
  readonly risk?: string;
}

/** A change's derived status, from its record, its artifacts now and its concerns. */
export function statusOf(ws: Workspace, change: Change): ChangeStatus {
  return deriveStatus(change, ws.store.artifacts(change.id), concernsOf(ws.audit, change.id), ws.config);
}

/** Every change with its status, filtered; changes that fail to load come back as problems. */
export function listChanges(ws: Workspace, filters: ListFilters = {}): { rows: ChangeRow[]; problems: DfErrorType[] } {
  const lifecycle = filters.status ? parseLifecycle(filters.status) : undefined;
  const stage = filters.stage ? parseOneOf<Stage>(filters.stage, STAGES, 'stage') : undefined;
  const risk = filters.risk ? parseOneOf<RiskTier>(filters.risk, RISK_TIERS, 'risk') : undefined;
  const { changes, problems } = ws.store.list();
  const rows = changes
    .map((change) => ({ change, status: statusOf(ws, change) }))
    .filter((r) => (!lifecycle || r.status.lifecycle === lifecycle) && (!stage || r.status.stage === stage) && (!risk || r.change.risk_tier === risk));
  return { rows, problems };
}

/** `in-progress`, `In-Progress` and `partially approved` all name a lifecycle state. */
export function parseLifecycle(text: string): Lifecycle {
  const key = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
  const hit = LIFECYCLE.find((l) => key(l) === key(text));
  if (!hit) throw new DfError('usage', `unknown status "${text}"`, `use one of: ${LIFECYCLE.join(', ')}`, { field: 'status' });
  return hit;
}

function parseOneOf<T extends string>(text: string, values: readonly T[], field: string): T {
  const hit = values.find((v) => v === text.toLowerCase());
  if (!hit) throw new DfError('usage', `unknown ${field} "${text}"`, `use one of: ${values.join(', ')}`, { field });
  return hit;
}
