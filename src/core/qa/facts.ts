import { readFileSync, statSync } from 'node:fs';
import { activeEntries, readEvidence } from '../capture/evidenceStore';
import { validateRev } from '../capture/range';
import { concernsOf } from '../concerns/concerns';
import { historyOf } from '../drift/gitContext';
import { staleEvidence } from '../drift/scope';
import { errnoCode } from '../errors';
import type { Change } from '../schema/change';
import { approvalState } from '../status/lifecycle';
import { confinedPath } from '../tester/paths';
import type { CommandResult } from '../tester/runner';
import type { Workspace } from '../workspace';
import { testsForAreas } from './areas';
import type { Coverage, QaFacts } from './evaluate';
import type { QaPolicy } from './policy';

/** A coverage file older than the run by more than this (coarse file-system clocks) was not written by it. */
const MTIME_SLACK_MS = 2000;

/** Gathers what the policy judges, for `change` after its tests ran (`runStartedAt`: wall-clock ms). */
export async function gatherFacts(ws: Workspace, change: Change, policy: QaPolicy, results: readonly CommandResult[], runStartedAt: number): Promise<QaFacts> {
  const evidenceFiles = activeEntries(readEvidence(ws.layout, change.id)).flatMap((e) => e.files.filter((f) => f.status !== 'deleted').map((f) => f.path));
  const changed = [...evidenceFiles, ...(await changedSinceBase(ws, policy.base))];
  const areas = change.scope.paths.length ? change.scope.paths : evidenceFiles;
  return {
    results,
    ...coverageOf(ws.layout.root, policy.coverage_summary, runStartedAt),
    approvers: currentApprovers(change, ws.store.artifacts(change.id)),
    concerns: concernsOf(ws.audit, change.id).map((c) => ({ id: c.id, severity: c.severity, status: c.status })),
    staleEvidence: policy.rules.fresh_evidence ? (await staleEvidence(ws, change)).map((s) => ({ path: s.path, evidence: s.evidence })) : [],
    testsChanged: testsForAreas(areas, changed, policy.test_globs, policy.untested_globs),
  };
}

/** The people whose latest decision on a stage (or sub-scope) is a current approval. */
export function currentApprovers(change: Change, artifacts: Readonly<Record<string, string>>): string[] {
  const latest = new Map<string, ReturnType<typeof approvalState>>();
  for (const a of change.approvals) latest.set(`${a.stage}\u0000${a.sub_scope ?? ''}`, approvalState(a, artifacts, change.maturity_level));
  return [...new Set([...latest.values()].filter((s) => s.current && s.approval.decision === 'approved').map((s) => s.approval.by))].sort();
}

/**
 * Istanbul's `json-summary` (`total.lines.pct`) when the file exists; a file this run did not
 * write, or one without the number, is reported with a note rather than trusted.
 */
export function coverageOf(root: string, rel: string, runStartedAt: number): { coverage?: Coverage } {
  const abs = confinedPath(root, rel, 'qa.coverage_summary');
  let text: string;
  try {
    if (statSync(abs).mtimeMs < runStartedAt - MTIME_SLACK_MS) return { coverage: { file: rel, note: 'not written by this run (stale)' } };
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return {};
    return { coverage: { file: rel, note: `cannot be read (${errnoCode(e) ?? String(e)})` } };
  }
  try {
    const pct = (JSON.parse(text) as { total?: { lines?: { pct?: unknown } } }).total?.lines?.pct;
    if (typeof pct === 'number' && Number.isFinite(pct)) return { coverage: { file: rel, lines_pct: pct } };
    return { coverage: { file: rel, note: 'has no number at total.lines.pct' } };
  } catch {
    return { coverage: { file: rel, note: 'is not valid JSON' } };
  }
}

/**
 * Files changed in the working tree (committed, staged, unstaged, untracked) since the merge
 * base of HEAD and the base branch (`qa.base`, else the first of origin/HEAD, main, master);
 * on the base branch itself that is just the uncommitted work. Empty outside git.
 */
export async function changedSinceBase(ws: Workspace, base: string | undefined): Promise<string[]> {
  const h = historyOf(ws);
  if (!h) return [];
  if (base !== undefined) validateRev(base, 'qa.base');
  let mergeBase: string | undefined;
  if (await h.commitOf('HEAD')) {
    for (const rev of base !== undefined ? [base] : ['origin/HEAD', 'main', 'master']) {
      const commit = await h.commitOf(rev);
      if (!commit) continue;
      mergeBase = (await h.tryRaw(['merge-base', 'HEAD', commit]))?.trim() || undefined;
      if (mergeBase) break;
    }
    mergeBase ??= 'HEAD';
  }
  const out: string[] = [];
  if (mergeBase) out.push(...splitZ(await h.tryRaw(['diff', '--name-only', '--relative', '-z', '--no-renames', '--diff-filter=d', mergeBase, '--'])));
  out.push(...splitZ(await h.tryRaw(['ls-files', '--others', '--exclude-standard', '-z'])));
  return [...new Set(out)].sort();
}

function splitZ(out: string | undefined): string[] {
  return (out ?? '').split('\0').filter(Boolean);
}
