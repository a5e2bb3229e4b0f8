import type { Config } from '../schema/config';
import type { RunStatus } from '../schema/run';
import type { Workspace } from '../workspace';
import { formatAge, formatBytes, formatTtl } from './format';
import { scanRuns, type RunFolder } from './runFolders';

/** What retention needs of a workspace: where the project is, its policy, and the clock. */
export type RetentionWorkspace = Pick<Workspace, 'layout' | 'config' | 'clock'>;
export type RetentionPolicy = Config['retention'];

/** A run's status as retention sees it: run.json's, or `invalid` when run.json cannot be used. */
export type RetentionStatus = RunStatus | 'invalid';

/** Why a run is kept or deleted; the rules are in docs/formats.md, "Retention". */
export type RetentionRule =
  | 'retained'
  | 'running'
  | 'stale-running'
  | 'within-success-ttl'
  | 'within-failed-ttl'
  | 'success-ttl'
  | 'failed-ttl'
  | 'size-cap'
  | 'interrupted';

export type DeleteRule = Extract<RetentionRule, 'success-ttl' | 'failed-ttl' | 'size-cap' | 'interrupted'>;

/** One run folder and what retention decided about it. */
export interface RetentionItem {
  /** `CH-012/run-3` */
  readonly run: string;
  /** `artifacts/work/CH-012/run-3` (for a leftover: `artifacts/work/CH-012/.run-3.deleting`) */
  readonly path: string;
  readonly ch_id: string;
  readonly n: number;
  readonly kind: 'run' | 'leftover';
  readonly run_id?: string;
  readonly status: RetentionStatus;
  /** The time the age counts from: `finished`, else `started`; the newest file time when run.json is unusable. */
  readonly since: string;
  readonly age_ms: number;
  readonly bytes: number;
  readonly retained: boolean;
  /** The concern run.json says was raised about this run (`CH-012/C-3`). */
  readonly concern?: string;
  readonly decision: 'keep' | 'delete';
  readonly rule: RetentionRule;
  /** The decision in words. */
  readonly reason: string;
  /** Problems a person should look at (unusable run.json, a stale running run, …). */
  readonly warnings: readonly string[];
}

export interface RetentionTotals {
  readonly runs: number;
  readonly bytes: number;
  readonly keep: { readonly runs: number; readonly bytes: number };
  readonly delete: { readonly runs: number; readonly bytes: number };
  readonly cap_bytes: number;
  /** The runs kept still exceed the cap (only runs the cap may not touch are left). */
  readonly over_cap: boolean;
}

export interface RetentionPlan {
  readonly now: string;
  readonly policy: RetentionPolicy;
  readonly items: readonly RetentionItem[];
  readonly totals: RetentionTotals;
  /** Every item's warnings, then entries retention leaves alone, then the cap if still exceeded. */
  readonly warnings: readonly string[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MB = 1024 * 1024;

/** Lists every run under artifacts/work/CH-###/run-N/ with what retention would do to it. Reads only. */
export function planRetention(ws: RetentionWorkspace): RetentionPlan {
  const scan = scanRuns(ws.layout.root);
  return decideRetention(scan.folders, ws.config.retention, ws.clock.nowMs(), scan.warnings);
}

/**
 * The retention rules over scanned folders, at `nowMs`: a pure function, so every rule can be
 * tested at its edges. `folders` must be in scan order (change, then run number): the output
 * keeps it, and ties in the size-cap order fall back to it.
 */
export function decideRetention(folders: readonly RunFolder[], policy: RetentionPolicy, nowMs: number, scanWarnings: readonly string[] = []): RetentionPlan {
  const successTtl = policy.success_ttl_hours * HOUR_MS;
  const failedTtl = policy.failed_ttl_days * DAY_MS;
  const ttlText = { success: formatTtl(policy.success_ttl_hours, 'h'), failed: formatTtl(policy.failed_ttl_days, 'd') };

  const items: RetentionItem[] = folders.map((f) => {
    const status: RetentionStatus = f.run?.status ?? 'invalid';
    const sinceMs = f.run ? Date.parse(f.run.finished ?? f.run.started) : f.newestMs;
    const ageMs = Math.max(0, nowMs - sinceMs);
    const warnings: string[] = [];
    if (f.problem && f.kind === 'run') warnings.push(`${f.ref}: ${f.problem}; treated as a failed run aged from its newest file (fix run.json, or remove the folder)`);
    if (sinceMs > nowMs) warnings.push(`${f.ref}: dated in the future (${new Date(sinceMs).toISOString()}); aged 0`);
    if (f.unreadable.length) warnings.push(`${f.ref}: could not read ${f.unreadable.join(', ')} (not counted in its size); make it readable`);
    const base = {
      run: f.ref,
      path: f.path,
      ch_id: f.ch_id,
      n: f.n,
      kind: f.kind,
      ...(f.run ? { run_id: f.run.run_id } : {}),
      status,
      since: new Date(sinceMs).toISOString(),
      age_ms: ageMs,
      bytes: f.bytes,
      retained: f.retained,
      ...(f.run?.concern ? { concern: f.run.concern } : {}),
    };
    const age = formatAge(ageMs);
    const decide = (decision: 'keep' | 'delete', rule: RetentionRule, reason: string): RetentionItem => ({ ...base, decision, rule, reason, warnings });

    if (f.kind === 'leftover') return decide('delete', 'interrupted', 'the remains of a deletion that did not finish');
    if (f.retained) return decide('keep', 'retained', '.retain marker: kept whatever its age');
    if (status === 'running') {
      if (ageMs > failedTtl) {
        warnings.push(`${f.ref}: still "running" after ${age}, longer than the ${ttlText.failed} failed-run TTL: if no Implementer is working on it, abort it or remove the folder`);
        return decide('keep', 'stale-running', `running for ${age}: stale, kept until someone looks`);
      }
      return decide('keep', 'running', `running (started ${age} ago)`);
    }
    if (status === 'succeeded') {
      return ageMs > successTtl
        ? decide('delete', 'success-ttl', `succeeded ${age} ago, older than the ${ttlText.success} TTL`)
        : decide('keep', 'within-success-ttl', `succeeded ${age} ago, within the ${ttlText.success} TTL`);
    }
    const what = status === 'invalid' ? 'unreadable run' : status;
    const ref = f.run?.concern ? ` (referenced from concern ${f.run.concern})` : '';
    return ageMs > failedTtl
      ? decide('delete', 'failed-ttl', `${what} ${age} ago, older than the ${ttlText.failed} TTL${ref}`)
      : decide('keep', 'within-failed-ttl', `${what} ${age} ago, kept for ${ttlText.failed}${ref}`);
  });

  // The size cap: while what is kept exceeds it, the oldest successful runs go first. Failed,
  // running and retained runs are never deleted for size.
  const capBytes = Math.round(policy.size_cap_mb * MB);
  let kept = sum(items.filter((i) => i.decision === 'keep'));
  if (kept > capBytes) {
    const order = items
      .map((item, index) => ({ item, index, sinceMs: Date.parse(item.since) }))
      .filter(({ item }) => item.rule === 'within-success-ttl')
      .sort((a, b) => a.sinceMs - b.sinceMs || a.index - b.index);
    for (const { item, index } of order) {
      if (kept <= capBytes) break;
      const reason = `succeeded ${formatAge(item.age_ms)} ago; the runs kept came to ${formatBytes(kept)}, over the ${formatTtl(policy.size_cap_mb, 'MB')} cap (oldest successful runs go first)`;
      items[index] = { ...item, decision: 'delete', rule: 'size-cap', reason };
      kept -= item.bytes;
    }
  }
  const keep = items.filter((i) => i.decision === 'keep');
  const del = items.filter((i) => i.decision === 'delete');
  const overCap = sum(keep) > capBytes;
  const warnings = [...items.flatMap((i) => i.warnings), ...scanWarnings];
  if (overCap) warnings.push(`the runs kept come to ${formatBytes(sum(keep))}, still over the ${formatTtl(policy.size_cap_mb, 'MB')} cap: only failed, running or retained runs are left; release or remove some, or raise retention.size_cap_mb`);

  return {
    now: new Date(nowMs).toISOString(),
    policy,
    items,
    totals: {
      runs: items.length,
      bytes: sum(items),
      keep: { runs: keep.length, bytes: sum(keep) },
      delete: { runs: del.length, bytes: sum(del) },
      cap_bytes: capBytes,
      over_cap: overCap,
    },
    warnings,
  };
}

function sum(items: readonly RetentionItem[]): number {
  return items.reduce((n, i) => n + i.bytes, 0);
}
