import type { IdOccurrence, Location } from './sources';

/** A change as the trace sees it: its scope, its derived lifecycle and its evidence refs. */
export interface TraceChangeInput {
  readonly id: string;
  readonly title: string;
  /** The derived lifecycle (status/changeStatus.ts statusOf). */
  readonly lifecycle: string;
  readonly paths: readonly string[];
  readonly frs: readonly string[];
  readonly ws: readonly string[];
  readonly tcs: readonly string[];
  readonly evidence: readonly string[];
  /** `changes/CH-###/change.yaml`. */
  readonly file: string;
  /** Line in change.yaml where each scope id is listed, when known. */
  readonly lines?: Readonly<Record<string, number>>;
}

/**
 * `gap`: no test verifies it; `covered`: a test does; `verified`: a test does and a change
 * naming it in scope.frs is Approved or Merged.
 */
export type RequirementStatus = 'verified' | 'covered' | 'gap';

export interface Requirement {
  readonly id: string;
  readonly title: string;
  /** The first definition (files in path order); others are `fr-duplicate` gaps. */
  readonly at: Location;
  readonly status: RequirementStatus;
  readonly ws: readonly string[];
  readonly tests: readonly string[];
  readonly changes: readonly string[];
  /** `CH-###: ref` for every evidence ref of a change naming the requirement. */
  readonly evidence: readonly string[];
}

export interface Workstream {
  readonly id: string;
  readonly title: string;
  /** Where ws sources define or mention it; empty when only change scopes name it. */
  readonly at: readonly Location[];
  readonly frs: readonly string[];
  readonly changes: readonly string[];
}

export interface TestCase {
  readonly id: string;
  readonly at: readonly Location[];
  /** FR ids named on a line where the TC id appears: the requirements it verifies. */
  readonly frs: readonly string[];
  readonly changes: readonly string[];
}

export type GapKind = 'fr-untested' | 'fr-duplicate' | 'tc-unknown-fr' | 'ws-unknown-fr' | 'change-unknown-fr' | 'change-unknown-ws' | 'change-unknown-tc';
export const GAP_KINDS: readonly GapKind[] = ['fr-untested', 'fr-duplicate', 'tc-unknown-fr', 'ws-unknown-fr', 'change-unknown-fr', 'change-unknown-ws', 'change-unknown-tc'];

/** A trace finding: what is missing or inconsistent, and where. */
export interface Gap {
  readonly kind: GapKind;
  readonly id: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
}

export interface TraceModel {
  readonly requirements: readonly Requirement[];
  readonly workstreams: readonly Workstream[];
  readonly tests: readonly TestCase[];
  readonly changes: readonly TraceChangeInput[];
  readonly gaps: readonly Gap[];
}

export interface BuildOptions {
  /** Whether any ws source is configured: only then is a WS id a change names but no source defines a gap. */
  readonly wsSourced: boolean;
}

/** Links FR ↔ WS ↔ TC ↔ change ↔ file and lists the gaps. Pure: the same input gives the same model. */
export function buildTrace(occurrences: readonly IdOccurrence[], changes: readonly TraceChangeInput[], opts: BuildOptions): TraceModel {
  const occ = dedupe(occurrences);
  const gaps: Gap[] = [];
  const frDefs = groupBy(occ.filter((o) => o.kind === 'fr'), (o) => o.id);
  const wsOcc = groupBy(occ.filter((o) => o.kind === 'ws'), (o) => o.id);
  const tcOcc = groupBy(occ.filter((o) => o.kind === 'tc'), (o) => o.id);
  const sortedChanges = [...changes].sort((a, b) => compareIds(a.id, b.id));
  const changesNaming = (pick: (c: TraceChangeInput) => readonly string[], id: string) => sortedChanges.filter((c) => pick(c).includes(id));

  for (const [id, defs] of frDefs) {
    const [first, ...rest] = defs;
    for (const d of rest) gaps.push({ kind: 'fr-duplicate', id, message: `${id} is defined twice: ${loc(first as Location)} and ${loc(d)}`, file: d.file, line: d.line });
  }

  const tests: TestCase[] = [...tcOcc].map(([id, at]) => ({ id, at: at.map(place), frs: uniqueSorted(at.flatMap((o) => o.mentions)), changes: changesNaming((c) => c.tcs, id).map((c) => c.id) }));
  const wsIds = uniqueSorted([...wsOcc.keys(), ...changes.flatMap((c) => c.ws)]);
  const workstreams: Workstream[] = wsIds.map((id) => {
    const at = wsOcc.get(id) ?? [];
    const named = changesNaming((c) => c.ws, id);
    return { id, title: at.find((o) => o.text)?.text ?? '', at: at.map(place), frs: uniqueSorted([...at.flatMap((o) => o.mentions), ...named.flatMap((c) => c.frs)]), changes: named.map((c) => c.id) };
  });

  const requirements: Requirement[] = [...frDefs].map(([id, defs]) => {
    const first = defs[0] as IdOccurrence;
    const testIds = tests.filter((t) => t.frs.includes(id)).map((t) => t.id);
    const named = changesNaming((c) => c.frs, id);
    const status: RequirementStatus = !testIds.length ? 'gap' : named.some((c) => c.lifecycle === 'Approved' || c.lifecycle === 'Merged') ? 'verified' : 'covered';
    if (status === 'gap') gaps.push({ kind: 'fr-untested', id, message: `${id} has no test: no TC id appears on a line naming it`, file: first.file, line: first.line });
    return {
      id,
      title: defs.find((d) => d.text)?.text ?? '',
      at: place(first),
      status,
      ws: workstreams.filter((w) => w.frs.includes(id)).map((w) => w.id),
      tests: testIds,
      changes: named.map((c) => c.id),
      evidence: named.flatMap((c) => [...c.evidence].sort().map((e) => `${c.id}: ${e}`)),
    };
  });

  for (const [kind, byId] of [['tc', tcOcc], ['ws', wsOcc]] as const) {
    for (const [id, at] of byId) {
      const seen = new Set<string>();
      for (const o of at) {
        for (const fr of o.mentions) {
          if (frDefs.has(fr) || seen.has(fr)) continue;
          seen.add(fr);
          gaps.push({ kind: kind === 'tc' ? 'tc-unknown-fr' : 'ws-unknown-fr', id, message: `${id} names ${fr}, which no requirement defines`, file: o.file, line: o.line });
        }
      }
    }
  }

  for (const c of sortedChanges) {
    const unknown = (field: 'frs' | 'ws' | 'tcs', known: (id: string) => boolean, kind: GapKind, what: string) => {
      for (const id of c[field]) {
        if (known(id)) continue;
        const line = c.lines?.[id];
        gaps.push({ kind, id: c.id, message: `${c.id} scope.${field} names ${id}, but no ${what} defines it`, file: c.file, ...(line ? { line } : {}) });
      }
    };
    unknown('frs', (id) => frDefs.has(id), 'change-unknown-fr', 'requirement source');
    if (opts.wsSourced) unknown('ws', (id) => wsOcc.has(id), 'change-unknown-ws', 'workstream source');
    unknown('tcs', (id) => tcOcc.has(id), 'change-unknown-tc', 'test source');
  }

  return {
    requirements: requirements.sort((a, b) => compareIds(a.id, b.id)),
    workstreams,
    tests: tests.sort((a, b) => compareIds(a.id, b.id)),
    changes: sortedChanges,
    gaps: gaps.sort(compareGaps),
  };
}

/**
 * Natural order for ids: FR-2 before FR-10, CH-999 before CH-1000. Digit runs compare by
 * value, everything else by code unit, so the order never depends on the locale.
 */
export function compareIds(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i] as string;
    const y = tb[i] as string;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const d = Number(x) - Number(y);
      if (d) return d;
    }
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length || byCodeUnit(a, b);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareGaps(a: Gap, b: Gap): number {
  return GAP_KINDS.indexOf(a.kind) - GAP_KINDS.indexOf(b.kind) || compareIds(a.id, b.id) || byCodeUnit(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || byCodeUnit(a.message, b.message);
}

export function loc(l: Location): string {
  return `${l.file}:${l.line}`;
}

function place(o: Location): Location {
  return { file: o.file, line: o.line };
}

/** Occurrences in file, line order; the same id on the same line (two overlapping sources) once. */
function dedupe(occurrences: readonly IdOccurrence[]): IdOccurrence[] {
  const seen = new Set<string>();
  const sorted = [...occurrences].sort((a, b) => byCodeUnit(a.file, b.file) || a.line - b.line);
  return sorted.filter((o) => {
    const key = `${o.kind}\u0000${o.id}\u0000${o.file}\u0000${o.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function uniqueSorted(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort(compareIds);
}
