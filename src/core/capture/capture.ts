import { join } from 'node:path';
import { sha256 } from '../canonical';
import { DfError } from '../errors';
import { writeFileAtomicSync } from '../fs/atomic';
import { openConflicts, type ImpactConflict } from '../impact/impact';
import { GitHistory } from '../repo/gitHistory';
import { changeDir } from '../repo/layout';
import type { Actor, AuditEventInput } from '../schema/audit';
import type { Change, MaturityLevel, RiskTier } from '../schema/change';
import type { DiffEvidence } from '../schema/evidence';
import { renderTemplate, serializeChange } from '../store/changeStore';
import type { Workspace } from '../workspace';
import { captureBriefSection, draftTitle, insertCaptureSection, mergeScope, union } from './captureText';
import { diffFiles, diffHash } from './diffFiles';
import { appendEvidence, type NewEvidence } from './evidenceStore';
import { resolveLocal, resolveRange } from './range';
import { commitsWithClaims, compareChangeIds, traceIdsIn, type ClaimedCommit } from './trailers';

export interface CaptureRequest {
  /** A range `A..B` (or `A`, meaning `A..HEAD`); exactly one of from / staged / working. */
  readonly from?: string;
  readonly staged?: boolean;
  readonly working?: boolean;
  readonly title?: string;
  /** Attach to this existing change instead of opening a new one. */
  readonly into?: string;
  readonly risk?: RiskTier;
  readonly maturity?: MaturityLevel;
  readonly actor: Actor;
  readonly correlationId: string;
}

export interface CaptureResult {
  readonly change: Change;
  readonly created: boolean;
  readonly evidence: DiffEvidence;
  readonly evidenceRef: string;
  /** Commits of the range already claimed (by a `Change:` trailer) by some other change. */
  readonly claimedElsewhere: ClaimedCommit[];
  /** Other open changes touching the same files or requirements (impact's conflicts), linked under `links.related`. */
  readonly conflicts: ImpactConflict[];
  readonly warnings: string[];
}

/**
 * `capture`: turns a git range (or the index, or the working tree) into a change of origin
 * `code` — scope from the changed files, evidence from the diff hashes, title and brief from
 * the commit messages — or, with `into`, attaches it to an existing change.
 */
export async function capture(ws: Workspace, req: CaptureRequest): Promise<CaptureResult> {
  const chosen = [req.from !== undefined, Boolean(req.staged), Boolean(req.working)].filter(Boolean).length;
  if (chosen !== 1) {
    throw new DfError('usage', chosen ? 'give only one of --from, --staged and --working' : 'what should be captured? none of --from, --staged or --working was given', 'e.g. `dynaforge capture --from main..HEAD`, `--staged` or `--working`', { field: '--from' });
  }
  if (!ws.git.available) throw new DfError('git', `${ws.layout.root} is not inside a git repository: there is no history to capture`, 'run `git init` and commit, then capture');
  const into = req.into !== undefined ? ws.store.read(req.into) : undefined; // an unknown change fails before any git work
  const h = new GitHistory(ws.layout.root);
  const { source, warnings } = req.from !== undefined ? await resolveRange(h, req.from) : await resolveLocal(h, req.staged ? 'staged' : 'working');
  const commits = source.kind === 'range' ? await commitsWithClaims(h, source.from, source.to) : [];
  const files = await diffFiles(h, source);
  if (files.length === 0) {
    throw new DfError('usage', `nothing to capture: ${source.kind === 'range' ? `the commits of ${source.spec} change no file in this project` : `there are no ${source.kind} changes against HEAD`}`, source.kind === 'staged' ? '`git add` the files first' : 'check `git status` and the range');
  }
  const diff = await diffHash(h, source);
  const draft: NewEvidence<DiffEvidence> = {
    kind: 'git-diff',
    captured_at: ws.clock.nowIso(),
    source,
    diff_sha256: diff.sha256,
    diff_bytes: diff.bytes,
    commits: commits.map((c) => ({ sha: c.sha, subject: c.subject, claimed_by: c.claimed_by })),
    files,
  };
  const ids = traceIdsIn(commits.map((c) => c.message).join('\n'));
  const paths = files.map((f) => f.path);
  const self = into?.id;
  const claimedElsewhere = commits.filter((c) => c.claimed_by.some((id) => id !== self));
  const related = [...new Set(claimedElsewhere.flatMap((c) => c.claimed_by).filter((id) => id !== self))].sort(compareChangeIds);
  for (const id of related) {
    const shas = claimedElsewhere.filter((c) => c.claimed_by.includes(id)).map((c) => c.sha.slice(0, 12));
    warnings.push(`${shas.length} commit(s) of this range are claimed by ${id} (${shas.join(', ')})${ws.store.exists(id) ? '' : `, a change not found here`}; linked under links.related`);
  }
  /** The change as the capture leaves it: scope merged, related changes linked, the evidence (once appended) referenced. */
  const withCapture = (c: Change, ref?: string, linked: readonly string[] = []): Change => ({
    ...c,
    scope: mergeScope(c, { paths, ...ids }),
    links: { ...c.links, related: union(c.links.related, [...related, ...linked].filter((id) => id !== c.id)).sort(compareChangeIds) },
    evidence: ref ? union(c.evidence, [ref]) : c.evidence,
  });
  /** Impact's conflicts of the change as the capture leaves it: linked under links.related, and reported. */
  const overlaps = async (c: Change): Promise<ImpactConflict[]> => {
    const found = await openConflicts(ws, withCapture(c));
    for (const o of found.conflicts) warnings.push(`open change ${o.id} (${o.title}) touches ${describeOverlap(o)} too; linked under links.related`);
    if (found.problems.length) warnings.push(`overlaps with ${found.problems.length} change(s) are unknown, their change.yaml does not load (see \`dynaforge list\`)`);
    return found.conflicts;
  };

  if (into) {
    const conflicts = await overlaps(into);
    const { entry: evidence, ref } = await appendEvidence<DiffEvidence>(ws.layout, into.id, draft);
    const change = await ws.store.update(into.id, (c) => withCapture(c, ref, conflicts.map((o) => o.id)));
    await ws.audit.appendMany([
      event(req, change.id, 'change.updated', { fields: ['scope', 'links', 'evidence'], file: ws.store.relFile(change.id), hash: sha256(serializeChange(change)) }),
      capturedEvent(req, change.id, evidence, ref, related),
    ]);
    return { change, created: false, evidence, evidenceRef: ref, claimedElsewhere, conflicts, warnings };
  }

  const created = await ws.store.create({
    title: req.title ?? draftTitle(commits, draft),
    origin: 'code',
    paths,
    ...ids,
    ...(req.risk ? { risk: req.risk } : {}),
    ...(req.maturity ? { maturity: req.maturity } : {}),
  });
  try {
    const conflicts = await overlaps(created);
    const { entry: evidence, ref } = await appendEvidence<DiffEvidence>(ws.layout, created.id, draft);
    const change = await ws.store.update(created.id, (c) => withCapture(c, ref, conflicts.map((o) => o.id)));
    const brief = insertCaptureSection(renderTemplate(ws.store.template('brief'), change), captureBriefSection(evidence));
    writeFileAtomicSync(join(changeDir(ws.layout, change.id), 'brief.md'), brief, ws.store.relFile(change.id, 'brief.md'));
    await ws.audit.appendMany([
      event(req, change.id, 'change.created', { title: change.title, origin: change.origin, file: ws.store.relFile(change.id), hash: sha256(serializeChange(change)) }),
      capturedEvent(req, change.id, evidence, ref, related),
    ]);
    return { change, created: true, evidence, evidenceRef: ref, claimedElsewhere, conflicts, warnings };
  } catch (e) {
    ws.store.discard(created.id); // no change without its events (e.g. a read-only audit/changes/)
    throw e;
  }
}

/** What two changes share, e.g. "files a.ts, b.ts and requirement FR-1". */
function describeOverlap(o: ImpactConflict): string {
  const files = o.files.length ? `${o.files.length === 1 ? 'file' : 'files'} ${o.files.join(', ')}` : '';
  const frs = o.frs.length ? `${o.frs.length === 1 ? 'requirement' : 'requirements'} ${o.frs.join(', ')}` : '';
  return [files, frs].filter(Boolean).join(' and ');
}

function event<T extends AuditEventInput['type']>(req: CaptureRequest, chId: string, type: T, payload: AuditEventInput<T>['payload']): AuditEventInput {
  return { type, ch_id: chId, actor: req.actor, correlation_id: req.correlationId, payload } as AuditEventInput;
}

function capturedEvent(req: CaptureRequest, chId: string, e: DiffEvidence, ref: string, related: readonly string[]): AuditEventInput {
  return event(req, chId, 'change.captured', {
    evidence: ref,
    source: e.source.kind,
    ...(e.source.kind === 'range' ? { range: e.source.spec, to: e.source.to } : {}),
    base: e.source.base,
    commits: e.commits.map((c) => c.sha),
    files: e.files.length,
    diff_sha256: e.diff_sha256,
    claimed_by_others: [...related],
  });
}
