import { DfError } from '../errors';
import { CHANGE_ID_RE } from '../schema/ids';
import { parseChangeId } from '../store/changeIds';
import type { Gap, Requirement, TestCase, TraceChangeInput, TraceModel, Workstream } from './model';

/** The links of one item, as `trace <id>` shows them. */
export type TraceView =
  | { readonly kind: 'fr'; readonly item: Requirement; readonly gaps: readonly Gap[] }
  | { readonly kind: 'ws'; readonly item: Workstream; readonly gaps: readonly Gap[] }
  | { readonly kind: 'tc'; readonly item: TestCase; readonly gaps: readonly Gap[] }
  | { readonly kind: 'change'; readonly item: TraceChangeInput & { readonly verifiedBy: readonly string[] }; readonly gaps: readonly Gap[] };

const ITEM_ID = /^(FR|WS|TC)-[\w.-]+$/i;

/**
 * What a user typed as a trace item: `CH-012` (or `12`), `FR-…`, `WS-…`, `TC-…` (prefix in
 * any case). Anything else is a usage error.
 */
export function parseTraceId(input: string): string {
  const text = input.trim();
  if (ITEM_ID.test(text)) return `${text.slice(0, 2).toUpperCase()}${text.slice(2)}`;
  if (/^(ch-?)?\d+$/i.test(text)) return parseChangeId(text);
  throw new DfError('invalid-id', `"${input}" is not a trace item`, 'name a change (CH-012), a requirement (FR-1), a workstream (WS-auth) or a test case (TC-7)', { field: 'id' });
}

/** The links of `id`; an unknown id is a `not-found` error listing the nearest known ids. */
export function traceItem(model: TraceModel, id: string): TraceView {
  const gapsOf = (pred: (g: Gap) => boolean) => model.gaps.filter(pred);
  if (CHANGE_ID_RE.test(id)) {
    const c = model.changes.find((x) => x.id === id);
    if (c) {
      const verifiedBy = model.tests.filter((t) => t.frs.some((fr) => c.frs.includes(fr))).map((t) => t.id);
      return { kind: 'change', item: { ...c, verifiedBy }, gaps: gapsOf((g) => g.id === id) };
    }
  } else if (id.startsWith('FR-')) {
    const r = model.requirements.find((x) => x.id === id);
    if (r) return { kind: 'fr', item: r, gaps: gapsOf((g) => g.id === id) };
  } else if (id.startsWith('WS-')) {
    const w = model.workstreams.find((x) => x.id === id);
    if (w) return { kind: 'ws', item: w, gaps: gapsOf((g) => g.id === id) };
  } else {
    const t = model.tests.find((x) => x.id === id);
    if (t) return { kind: 'tc', item: t, gaps: gapsOf((g) => g.id === id) };
  }
  throw unknownItem(model, id);
}

function unknownItem(model: TraceModel, id: string): DfError {
  const known = [...model.changes.map((c) => c.id), ...model.requirements.map((r) => r.id), ...model.workstreams.map((w) => w.id), ...model.tests.map((t) => t.id)];
  const near = nearMatches(id, known);
  const referrers = [
    ...model.changes.filter((c) => [...c.frs, ...c.ws, ...c.tcs].includes(id)).map((c) => c.id),
    ...model.tests.filter((t) => t.frs.includes(id)).map((t) => t.id),
  ];
  const referenced = referrers.length ? ` (named by ${referrers.join(', ')}, but defined by no trace source)` : '';
  const fix = near.length ? `did you mean ${near.join(', ')}? Run \`dynaforge trace\` for the gaps, or check trace.sources in .dynaforge/config.yaml` : 'run `dynaforge trace --write` and read TRACEABILITY.md for every known id, or check trace.sources in .dynaforge/config.yaml';
  return new DfError('not-found', `no trace item ${id}${referenced}`, fix);
}

/** Up to five known ids closest to `id` (edit distance, same prefix first), nearest first. */
export function nearMatches(id: string, known: readonly string[]): string[] {
  const prefix = id.slice(0, 3);
  const limit = Math.max(2, Math.floor(id.length / 3));
  return [...new Set(known)]
    .map((k) => ({ k, d: distance(id.toUpperCase(), k.toUpperCase()) + (k.startsWith(prefix) ? 0 : 1) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, 5)
    .map((x) => x.k);
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length] as number;
}
