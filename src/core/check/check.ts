import { computeFindings, type Accepted } from '../drift/compute';
import { historyOf } from '../drift/gitContext';
import { fingerprint, severityRank, sortFindings, type Finding, type FindingSeverity } from '../drift/model';
import { resolveCommit, validateRev } from '../capture/range';
import { DfError } from '../errors';
import type { Workspace } from '../workspace';

export interface CheckOptions {
  /** Findings at least this severe fail the check (default: config check.fail_on). */
  readonly failOn?: FindingSeverity;
  /** Only findings a pull request since this revision could have caused or touched. */
  readonly changedSince?: string;
}

export interface CheckReport {
  readonly findings: Finding[];
  readonly accepted: Accepted[];
  readonly failOn: FindingSeverity;
  readonly counts: Record<FindingSeverity, number>;
  /** True when no finding is at or above `failOn`. */
  readonly passed: boolean;
  readonly changedSince?: { readonly rev: string; readonly base: string; readonly files: number; readonly changes: string[] };
  readonly git: boolean;
  readonly events: number;
}

/**
 * The CI gate over the whole repository: validation (files that do not load or parse),
 * the audit log's integrity, every drift kind, trace gaps, id collisions and gate violations.
 */
export async function runCheck(ws: Workspace, opts: CheckOptions = {}): Promise<CheckReport> {
  const failOn = opts.failOn ?? ws.config.check.fail_on;
  const scope = opts.changedSince !== undefined ? await changedScope(ws, opts.changedSince) : undefined;
  const found = await computeFindings(ws);
  const verify = await ws.audit.verify();
  const audit: Finding[] = verify.streams.flatMap((s) =>
    s.problem
      ? [{
          key: `audit-broken:${s.stream}`,
          kind: 'audit-broken' as const,
          severity: 'error' as const,
          ...(s.stream.startsWith('changes/') ? { ch_id: s.stream.slice('changes/'.length) } : {}),
          message: `${s.file}:${s.problem.line}: ${s.problem.message} [${s.problem.kind}]`,
          file: s.file,
          line: s.problem.line,
          fix: s.problem.kind === 'torn-tail' || s.problem.kind === 'head-lags' ? 'crash damage: run `dynaforge audit repair`' : `the log was edited outside dynaforge: restore ${s.file} from git (git checkout -- ${s.file}) and inspect what changed`,
          fingerprint: fingerprint(s.problem),
          actions: [],
          target: { type: 'none' as const },
        }]
      : [],
  );
  let findings = sortFindings([...found.items, ...audit]);
  let accepted = found.accepted;
  if (scope) {
    const inScope = (f: Finding) => (f.ch_id !== undefined && scope.changes.has(f.ch_id)) || (f.file !== undefined && scope.files.has(f.file)) || (f.target.type === 'commits' && f.target.shas.some((s) => scope.commits.has(s))) || (f.ch_id === undefined && f.file === undefined);
    findings = findings.filter(inScope);
    accepted = accepted.filter((a) => inScope(a.finding));
  }
  const counts: Record<FindingSeverity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    findings,
    accepted,
    failOn,
    counts,
    passed: !findings.some((f) => severityRank(f.severity) <= severityRank(failOn)),
    ...(scope ? { changedSince: { rev: opts.changedSince as string, base: scope.base, files: scope.files.size, changes: [...scope.changes].sort() } } : {}),
    git: found.git,
    events: verify.events,
  };
}

interface ChangedScope {
  readonly base: string;
  readonly files: Set<string>;
  readonly changes: Set<string>;
  readonly commits: Set<string>;
}

/**
 * What a pull request based on `rev` touches: the files changed between the merge base and
 * the working tree, the changes whose records or scope those files are, and its commits.
 */
async function changedScope(ws: Workspace, rev: string): Promise<ChangedScope> {
  validateRev(rev, '--changed-since');
  const h = historyOf(ws);
  if (!h) throw new DfError('usage', '--changed-since needs a git repository', 'run check without --changed-since, or inside a git repository', { field: '--changed-since' });
  let since: string;
  try {
    since = await resolveCommit(h, rev);
  } catch (e) {
    if (e instanceof DfError) throw new DfError('usage', e.message, e.fix, { field: '--changed-since' });
    throw e;
  }
  const base = (await h.tryRaw(['merge-base', since, 'HEAD']))?.trim();
  if (!base) {
    throw new DfError('usage', `${rev} and HEAD have no common history here${(await h.isShallow()) ? ' (this is a shallow clone)' : ''}`, 'fetch enough history for both (in CI: a full clone, e.g. fetch-depth 0), or give a revision HEAD descends from', { field: '--changed-since' });
  }
  const files = new Set((await h.raw(['diff', '--name-only', '-z', '--relative', '--no-renames', base, '--'])).split('\0').filter(Boolean));
  for (const f of (await h.raw(['ls-files', '-z', '--others', '--exclude-standard'])).split('\0').filter(Boolean)) files.add(f);
  const commits = new Set((await h.raw(['rev-list', `${base}..HEAD`])).split('\n').map((l) => l.trim()).filter(Boolean));
  const changes = new Set<string>();
  for (const f of files) {
    const m = /^(?:changes\/(CH-\d+)\/|audit\/changes\/(CH-\d+)\.)/.exec(f);
    if (m) changes.add((m[1] ?? m[2]) as string);
  }
  for (const c of ws.store.list().changes) {
    if (c.scope.paths.some((p) => [...files].some((f) => f === p || f.startsWith(`${p.replace(/\/$/, '')}/`)))) changes.add(c.id);
  }
  return { base, files, changes, commits };
}
