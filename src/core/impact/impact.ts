import { join } from 'node:path';
import { renderArtifact } from '../artifacts/frontMatter';
import { sha256 } from '../canonical';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { GitHistory } from '../repo/gitHistory';
import { changeDir } from '../repo/layout';
import type { Actor } from '../schema/audit';
import { RISK_TIERS, type Change, type RiskTier } from '../schema/change';
import type { Workspace } from '../workspace';
import { coChanges, expandScope, isTestFile, type CoChange, type ExpandedScope } from './coChange';
import { renderImpact } from './impactMarkdown';

/** Another open change that touches the same files or requirements. */
export interface ImpactConflict {
  readonly id: string;
  readonly title: string;
  readonly files: string[];
  readonly frs: string[];
}

export interface ImpactReport {
  readonly id: string;
  readonly title: string;
  /** Tracked files the scope covers, and scope entries that match none. */
  readonly files: string[];
  readonly unmatched: string[];
  readonly co_changes: CoChange[];
  readonly frs: string[];
  readonly ws: string[];
  readonly tcs: string[];
  readonly tests: string[];
  readonly risk: { readonly recorded: RiskTier; readonly suggested: RiskTier; readonly reasons: string[] };
  readonly conflicts: ImpactConflict[];
  /** Change folders that could not be read (their conflicts are unknown). */
  readonly problems: string[];
}

/** Computes a change's impact: pure reads of the store and git, deterministic ordering throughout. */
export async function computeImpact(ws: Workspace, id: string): Promise<ImpactReport> {
  const change = ws.store.read(id);
  const h = ws.git.available ? new GitHistory(ws.layout.root) : undefined;
  const tracked = h ? await h.trackedFiles() : [];
  const own = await expandScope(ws.layout.root, tracked, change.scope.paths);
  const co = h ? await coChanges(h, own.files) : [];
  const listing = ws.store.list();
  const conflicts = await conflictsAmong(ws.layout.root, tracked, change, own, listing.changes);
  const tests = own.files.filter(isTestFile);
  return {
    id,
    title: change.title,
    files: own.files,
    unmatched: own.unmatched,
    co_changes: co,
    frs: [...change.scope.frs].sort(),
    ws: [...change.scope.ws].sort(),
    tcs: [...change.scope.tcs].sort(),
    tests,
    risk: suggestRisk(change, own.files.length + own.unmatched.length, co, conflicts, tests),
    conflicts,
    problems: listing.problems.map((p) => p.message),
  };
}

/**
 * The other open changes among `others` whose scope covers one of the files of `own` (the
 * expanded scope of `change`) or names one of its FRs, with those files and FRs, in listing order.
 */
async function conflictsAmong(root: string, tracked: readonly string[], change: Change, own: ExpandedScope, others: readonly Change[]): Promise<ImpactConflict[]> {
  const ownSet = new Set([...own.files, ...own.unmatched]);
  const conflicts: ImpactConflict[] = [];
  for (const other of others) {
    if (other.id === change.id || other.status !== 'open') continue;
    const theirs = await expandScope(root, tracked, other.scope.paths);
    const files = [...theirs.files, ...theirs.unmatched].filter((f) => ownSet.has(f)).sort();
    const frs = other.scope.frs.filter((fr) => change.scope.frs.includes(fr)).sort();
    if (files.length || frs.length) conflicts.push({ id: other.id, title: other.title, files, frs });
  }
  return conflicts;
}

/**
 * The conflicts `impact` would report for `change` — given as a record, so a caller can ask
 * before writing it (capture does) — without the co-change history. `problems`: change
 * folders that could not be read, whose conflicts are unknown.
 */
export async function openConflicts(ws: Workspace, change: Change): Promise<{ conflicts: ImpactConflict[]; problems: string[] }> {
  const tracked = ws.git.available ? await new GitHistory(ws.layout.root).trackedFiles() : [];
  const own = await expandScope(ws.layout.root, tracked, change.scope.paths);
  const listing = ws.store.list();
  return { conflicts: await conflictsAmong(ws.layout.root, tracked, change, own, listing.changes), problems: listing.problems.map((p) => p.message) };
}

/**
 * A suggested tier with its reasons, by points: breadth (> 5 files +1, > 20 files +2),
 * overlap with other open changes +1, wide co-change (≥ 5 coupled files) +1, no test file
 * and no TC in scope +1. 0 → low, 1–2 → medium, 3 → high, 4+ → critical.
 */
export function suggestRisk(change: Change, fileCount: number, co: readonly CoChange[], conflicts: readonly ImpactConflict[], tests: readonly string[]): ImpactReport['risk'] {
  const reasons: string[] = [];
  let points = 0;
  if (fileCount > 20) {
    points += 2;
    reasons.push(`${fileCount} files in scope (more than 20)`);
  } else if (fileCount > 5) {
    points += 1;
    reasons.push(`${fileCount} files in scope (more than 5)`);
  } else reasons.push(`${fileCount} file${fileCount === 1 ? '' : 's'} in scope`);
  if (conflicts.length) {
    points += 1;
    reasons.push(`overlaps ${conflicts.length} other open change${conflicts.length === 1 ? '' : 's'} (${conflicts.map((c) => c.id).join(', ')})`);
  }
  if (co.length >= 5) {
    points += 1;
    reasons.push(`${co.length} files historically change with the scope`);
  }
  if (tests.length === 0 && change.scope.tcs.length === 0) {
    points += 1;
    reasons.push('no test file and no TC in scope');
  } else reasons.push(`tests in scope: ${tests.length} file${tests.length === 1 ? '' : 's'}, ${change.scope.tcs.length} TC${change.scope.tcs.length === 1 ? '' : 's'}`);
  const suggested = RISK_TIERS[points === 0 ? 0 : points <= 2 ? 1 : points === 3 ? 2 : 3] as RiskTier;
  return { recorded: change.risk_tier, suggested, reasons };
}

export interface ImpactWritten {
  readonly report: ImpactReport;
  readonly file: string;
  readonly hash: string;
  /** False when impact.md already held exactly these bytes (it is then left alone, mtime too). */
  readonly written: boolean;
  /** The sha256 of the inputs recorded in the front matter (brief.md, spec.md when present). */
  readonly derived_from: Record<string, string>;
}

/** The artifacts a reader of impact.md reasons from: their hashes go in its front matter. */
export const IMPACT_INPUTS = ['brief.md', 'spec.md'] as const;

/**
 * Writes changes/CH-###/impact.md from the project's impact template, with front matter
 * recording the sha256 of brief.md and spec.md as they are now, and records
 * `change.impact_written`. Same inputs, same bytes: an unchanged impact.md is not rewritten.
 */
export async function writeImpact(ws: Workspace, id: string, actor: Actor, correlationId: string): Promise<ImpactWritten> {
  const report = await computeImpact(ws, id);
  const change = ws.store.read(id);
  const hashes = ws.store.artifacts(id);
  const derived_from = Object.fromEntries(IMPACT_INPUTS.flatMap((name) => (hashes[name] ? [[name, hashes[name]]] : [])));
  const text = renderArtifact({ artifact: 'impact', change: id, derived_from }, renderImpact(ws.store.template('impact'), change, report));
  const file = ws.store.relFile(id, 'impact.md');
  const path = join(changeDir(ws.layout, id), 'impact.md');
  const written = readTextIfExists(path) !== text;
  if (written) writeFileAtomicSync(path, text, file);
  const hash = sha256(text);
  await ws.audit.append({
    type: 'change.impact_written',
    ch_id: id,
    actor,
    correlation_id: correlationId,
    payload: { file, hash, suggested_risk_tier: report.risk.suggested, conflicts: report.conflicts.map((c) => c.id) },
  });
  return { report, file, hash, written, derived_from };
}
