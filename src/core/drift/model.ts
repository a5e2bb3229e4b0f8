import { sha256 } from '../canonical';

/** The drift kinds of DESIGN.md §5, plus what `check` adds on top (validation, gates, audit). */
export const DRIFT_KINDS = ['artifact-stale', 'approval-stale', 'scope-drift', 'orphan-commit', 'trace-gap', 'id-collision'] as const;
export const CHECK_KINDS = [...DRIFT_KINDS, 'invalid', 'gate-violation', 'audit-broken'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];
export type FindingKind = (typeof CHECK_KINDS)[number];

/** Ordered from most to least severe; SARIF uses the same three levels. */
export const FINDING_SEVERITIES = ['error', 'warning', 'note'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/**
 * What `reconcile` can do about an item (DESIGN.md §5):
 * - `regenerate`: derive the stale artifact again from its sources;
 * - `re-approve`: record a fresh approval of what the artifacts say now;
 * - `attach`: capture the commits as evidence of an existing change (`--to CH-###`);
 * - `capture`: capture the commits as a new change (origin code);
 * - `accept`: accept the item as intentional, with a note (it returns if the state moves again).
 */
export const FIX_ACTIONS = ['regenerate', 're-approve', 'attach', 'capture', 'accept'] as const;
export type FixAction = (typeof FIX_ACTIONS)[number];

/** What an action needs to know about its item. */
export type ItemTarget =
  | { readonly type: 'artifact'; readonly artifact: 'spec' | 'plan' | 'tasks' | 'impact' | 'brief' }
  | { readonly type: 'approval'; readonly stage: string; readonly sub_scope?: string }
  | { readonly type: 'commits'; readonly range: string; readonly shas: readonly string[]; readonly suggested?: readonly string[] }
  | { readonly type: 'none' };

/** One finding: a drift item (reconcilable) or a check finding. */
export interface Finding {
  /** Stable across runs while the situation lasts: `kind:subject`, e.g. `artifact-stale:CH-012:plan.md`. */
  readonly key: string;
  readonly kind: FindingKind;
  readonly severity: FindingSeverity;
  readonly ch_id?: string;
  readonly message: string;
  /** Repository-relative file and 1-based line the finding is about, where known. */
  readonly file?: string;
  readonly line?: number;
  /** What a person should do (also when no automatic action applies). */
  readonly fix: string;
  /** sha256 of the state that makes this drift: an acceptance holds only while it is unchanged. */
  readonly fingerprint: string;
  readonly actions: readonly FixAction[];
  readonly target: ItemTarget;
}

export function fingerprint(...parts: readonly unknown[]): string {
  return sha256(JSON.stringify(parts));
}

export function severityRank(s: FindingSeverity): number {
  return FINDING_SEVERITIES.indexOf(s);
}

/** Findings in a stable order: change, kind, key. */
export function sortFindings<T extends Finding>(items: readonly T[]): T[] {
  const order = (k: FindingKind) => CHECK_KINDS.indexOf(k);
  return [...items].sort((a, b) => cmp(a.ch_id ?? '~', b.ch_id ?? '~') || order(a.kind) - order(b.kind) || cmp(a.key, b.key));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
