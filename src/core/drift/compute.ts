import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { changeStream, streamFile } from '../audit/streams';
import { activeEntries, readEvidence } from '../capture/evidenceStore';
import { errnoCode, isDfError, type DfError } from '../errors';
import { readTextIfExists } from '../fs/atomic';
import type { Change } from '../schema/change';
import type { ChangeListing } from '../store/changeStore';
import { localChangeIds } from '../store/changeIds';
import { loadTrace } from '../trace/loadTrace';
import type { Gap } from '../trace/model';
import type { Workspace } from '../workspace';
import { changeFindings } from './changeFindings';
import { idCollisions } from './collisions';
import { historyOf } from './gitContext';
import { fingerprint, sortFindings, type Finding } from './model';
import { adoptionCommit, commitsSince, orphanCommits } from './orphans';
import { HeadTree, missingScopePaths, staleEvidence } from './scope';

export interface FindingsOptions {
  /** Only what concerns this change (orphan commits are then those suggesting it). */
  readonly ch?: string;
}

/** An accepted item: hidden from reconcile and check while its fingerprint holds. */
export interface Accepted {
  readonly finding: Finding;
  readonly note: string;
  readonly by: string;
  readonly at: string;
}

export interface Findings {
  /** Open findings, in a stable order. */
  readonly items: Finding[];
  readonly accepted: Accepted[];
  /** Whether history could be read (orphans and scope drift need git). */
  readonly git: boolean;
}

/**
 * Every drift item of DESIGN.md §5 and every validation and gate finding, for the whole
 * repository or one change. Work done outside the tool shows up here rather than being lost:
 * orphan commits, files changed after their evidence, hand-edited artifacts and approvals.
 */
export async function computeFindings(ws: Workspace, opts: FindingsOptions = {}): Promise<Findings> {
  const listing = ws.store.list();
  const only = opts.ch !== undefined ? ws.store.read(opts.ch) : undefined;
  const changes = only ? [only] : listing.changes;
  const items: Finding[] = [];

  if (!only) items.push(...listing.problems.map(invalidChange));
  for (const change of changes) items.push(...changeFindings(ws.layout, ws.config, change, ws.store.artifacts(change.id)));
  items.push(...idCollisions(ws.layout, only ? [only.id] : localChangeIds(ws.layout), only ? [] : listing.problems));

  const h = historyOf(ws);
  if (h) {
    const tree = await HeadTree.load(h);
    const head = (await h.commitOf('HEAD')) ?? '';
    for (const change of changes.filter((c) => c.status === 'open')) items.push(...(await scopeFindings(ws, change, tree, head)));
    const since = await adoptionCommit(h, ws.config.drift.since);
    if (since) {
      const captured = new Set<string>();
      for (const c of listing.changes) {
        try {
          for (const e of activeEntries(readEvidence(ws.layout, c.id))) for (const cm of e.commits) captured.add(cm.sha);
        } catch (e) {
          if (!isDfError(e)) throw e; // reported as an invalid finding of that change
        }
      }
      const ignored = ws.config.drift.ignore.length ? picomatch(ws.config.drift.ignore, { dot: true }) : () => false;
      const orphans = orphanCommits({ commits: await commitsSince(h, since), changes: listing.changes, captured, ignored });
      items.push(...(only ? orphans.filter((o) => o.target.type === 'commits' && o.target.suggested?.includes(only.id)) : orphans));
    }
  }
  items.push(...(await traceFindings(ws, changes, only, listing)));
  return splitAccepted(ws, dedupe(items));
}

function invalidChange(p: DfError): Finding {
  const file = p.where.file ?? 'changes/';
  const ch = /changes\/(CH-\d+)\//.exec(file)?.[1];
  return { key: `invalid:${file}`, kind: 'invalid', severity: 'error', ...(ch ? { ch_id: ch } : {}), message: p.message, file, ...(p.where.line ? { line: p.where.line } : {}), fix: p.fix, fingerprint: fingerprint(p.message), actions: [], target: { type: 'none' } };
}

async function scopeFindings(ws: Workspace, change: Change, tree: HeadTree, head: string): Promise<Finding[]> {
  const out: Finding[] = [];
  let stale: Awaited<ReturnType<typeof staleEvidence>>;
  try {
    stale = await staleEvidence(ws, change, tree);
  } catch (e) {
    if (!isDfError(e)) throw e;
    return out; // a damaged evidence.json is an invalid finding already
  }
  if (stale.length) {
    const entries = activeEntries(readEvidence(ws.layout, change.id));
    const last = entries[entries.length - 1];
    const start = last ? (last.source.kind === 'range' ? last.source.to : last.source.base) : head;
    const committed = start !== head;
    const names = stale.map((s) => `${s.path}${s.now ? '' : ' (deleted)'}`);
    out.push({
      key: `scope-drift:${change.id}:evidence`,
      kind: 'scope-drift',
      severity: 'warning',
      ch_id: change.id,
      message: `${stale.length} file${stale.length > 1 ? 's' : ''} of ${change.id}'s evidence changed after it was taken: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`,
      file: stale[0]?.path,
      fix: committed
        ? `attach the new commits as evidence: dynaforge reconcile ${change.id} --apply attach (or capture them as a new change, or accept with a note)`
        : `the changes are not committed: commit them, or capture them with dynaforge capture --working --into ${change.id}`,
      fingerprint: fingerprint(stale.map((s) => [s.path, s.now ?? null])),
      actions: committed ? ['attach', 'capture', 'accept'] : ['accept'],
      target: { type: 'commits', range: `${start}..HEAD`, shas: [], suggested: [change.id] },
    });
  }
  const missing = missingScopePaths(ws, change, tree);
  if (missing.length) {
    out.push({
      key: `scope-drift:${change.id}:missing`,
      kind: 'scope-drift',
      severity: 'note',
      ch_id: change.id,
      message: `scope of ${change.id} names ${missing.join(', ')}, which ${missing.length > 1 ? 'do' : 'does'} not exist (deleted, or not created yet)`,
      file: `changes/${change.id}/change.yaml`,
      fix: `if deleted on purpose, remove ${missing.length > 1 ? 'them' : 'it'} from scope.paths in changes/${change.id}/change.yaml, or accept with a note`,
      fingerprint: fingerprint(missing),
      actions: ['accept'],
      target: { type: 'none' },
    });
  }
  return out;
}

const GAP_SEVERITY: Record<Gap['kind'], Finding['severity']> = {
  'fr-duplicate': 'error',
  'fr-untested': 'warning',
  'tc-unknown-fr': 'warning',
  'ws-unknown-fr': 'warning',
  'change-unknown-fr': 'warning',
  'change-unknown-ws': 'warning',
  'change-unknown-tc': 'warning',
};

async function traceFindings(ws: Workspace, changes: readonly Change[], only: Change | undefined, listing: ChangeListing): Promise<Finding[]> {
  const { model } = await loadTrace(ws, listing);
  const gaps = model.gaps.filter((g) => !only || g.file === `changes/${only.id}/change.yaml` || only.scope.frs.includes(g.id) || only.scope.tcs.includes(g.id) || only.scope.ws.includes(g.id));
  const out: Finding[] = gaps.map((g) => {
    const ch = g.file ? /^changes\/(CH-\d+)\//.exec(g.file)?.[1] : undefined;
    return {
      key: `trace-gap:${g.kind}:${g.id}${ch ? `:${ch}` : ''}${g.kind === 'fr-duplicate' ? `:${g.file}:${g.line}` : ''}`,
      kind: 'trace-gap',
      severity: GAP_SEVERITY[g.kind],
      ...(ch ? { ch_id: ch } : {}),
      message: g.message,
      ...(g.file ? { file: g.file } : {}),
      ...(g.line ? { line: g.line } : {}),
      fix: gapFix(g),
      fingerprint: fingerprint(g.kind, g.id, g.message),
      actions: ['accept'],
      target: { type: 'none' },
    } satisfies Finding;
  });
  const policy = ws.config.trace.require_frs;
  for (const c of changes) {
    if (c.status !== 'open' || !policy.includes(c.risk_tier) || c.scope.frs.length) continue;
    out.push({
      key: `trace-gap:change-no-fr:${c.id}`,
      kind: 'trace-gap',
      severity: 'warning',
      ch_id: c.id,
      message: `${c.id} is ${c.risk_tier} risk and names no requirement (policy: trace.require_frs)`,
      file: `changes/${c.id}/change.yaml`,
      fix: `add the FR ids it implements under scope.frs in changes/${c.id}/change.yaml, or accept with a note`,
      fingerprint: fingerprint(c.id, c.risk_tier),
      actions: ['accept'],
      target: { type: 'none' },
    });
  }
  return out;
}

function gapFix(g: Gap): string {
  switch (g.kind) {
    case 'fr-untested':
      return `add a test naming ${g.id} (e.g. a test titled "TC-… verifies ${g.id}"), or accept with a note`;
    case 'fr-duplicate':
      return `give one of the two definitions of ${g.id} a new id`;
    case 'tc-unknown-fr':
    case 'ws-unknown-fr':
      return 'correct the requirement id it names, or define that requirement';
    default:
      return 'correct the id in the change scope, or define it in a trace source';
  }
}

/** Keys are unique; the first finding with a key wins (the same gap can come from two places). */
function dedupe(items: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.key) ? false : (seen.add(i.key), true)));
}

/** Splits off items accepted by a `drift.reconciled` event whose fingerprint still matches. */
function splitAccepted(ws: Workspace, items: Finding[]): Findings {
  const accepts = acceptances(ws, items);
  const open: Finding[] = [];
  const accepted: Accepted[] = [];
  for (const f of sortFindings(items)) {
    const a = accepts.get(f.key);
    if (a && a.fingerprint === f.fingerprint) accepted.push({ finding: f, note: a.note, by: a.by, at: a.at });
    else open.push(f);
  }
  return { items: open, accepted, git: historyOf(ws) !== undefined };
}

interface Acceptance {
  readonly fingerprint: string;
  readonly note: string;
  readonly by: string;
  readonly at: string;
}

/** The latest acceptance per key, from the streams the items would be recorded in. */
function acceptances(ws: Workspace, items: readonly Finding[]): Map<string, Acceptance> {
  const out = new Map<string, Acceptance>();
  const streams = new Set(items.filter((i) => i.actions.includes('accept')).map((i) => (i.ch_id ? changeStream(i.ch_id) : 'project')));
  const files: string[] = [];
  for (const s of streams) if (s !== 'project') files.push(streamFile(ws.layout.auditDir, s));
  if (streams.has('project')) files.push(...projectStreamFiles(ws));
  for (const file of files) {
    const text = readTextIfExists(file);
    if (!text?.includes('"drift.reconciled"')) continue;
    for (const line of text.split('\n')) {
      if (!line.includes('"type":"drift.reconciled"')) continue;
      try {
        const e = JSON.parse(line) as { ts: string; actor: { id: string }; payload: { key: string; action: string; fingerprint: string; note?: string } };
        if (e.payload.action === 'accept') out.set(e.payload.key, { fingerprint: e.payload.fingerprint, note: e.payload.note ?? '', by: e.actor.id, at: e.ts });
      } catch {
        // a damaged line is audit verify's business; it accepts nothing
      }
    }
  }
  return out;
}

function projectStreamFiles(ws: Workspace): string[] {
  const dir = join(ws.layout.auditDir, 'project');
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(dir, f));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw e;
  }
}
