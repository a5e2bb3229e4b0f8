/**
 * Ambiguity markers: words and placeholders that say a requirement is not settled yet.
 * The list is documented in docs/formats.md ("analyze, checklist, clarify"); change both
 * together.
 */

export type MarkerKind = 'needs-clarification' | 'placeholder' | 'vague';

export interface MarkerHit {
  readonly kind: MarkerKind;
  /** The text matched, as written (`TBD`, `fast`, `[NEEDS CLARIFICATION: rate?]`). */
  readonly term: string;
  /** 0-based column in the line. */
  readonly column: number;
}

/** Explicit placeholders: always a marker, matched case-sensitively (a `todo list` in prose is not one). */
export const PLACEHOLDERS: readonly { readonly term: string; readonly re: RegExp }[] = [
  { term: 'TBD', re: /(?<![\w-])TBD(?![\w-])/g },
  { term: 'TODO', re: /(?<![\w-])TODO(?![\w-])/g },
  { term: '???', re: /\?{3,}/g },
];

/** `[NEEDS CLARIFICATION]` or `[NEEDS CLARIFICATION: what is unclear]`, any case. */
export const NEEDS_CLARIFICATION = /\[NEEDS CLARIFICATION(?:\s*:[^\]]*)?\]/gi;

/**
 * Vague words and phrases: they promise a quality without a measure, so no test can decide
 * them. Matched as whole words, any case (`fast` but not `breakfast` or `fast-path`).
 */
export const VAGUE_TERMS: readonly string[] = [
  'fast',
  'quickly',
  'user-friendly',
  'intuitive',
  'robust',
  'scalable',
  'efficient',
  'seamless',
  'seamlessly',
  'flexible',
  'as appropriate',
  'as needed',
  'if needed',
  'where possible',
  'etc.',
  'and so on',
  'and/or',
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const VAGUE = new RegExp(`(?<![\\w-])(?:${[...VAGUE_TERMS].sort((a, b) => b.length - a.length).map(escape).join('|')})(?![\\w-])`, 'gi');

/** Every marker on a line, left to right (a vague word inside a NEEDS CLARIFICATION marker is not counted twice). */
export function findMarkers(text: string): MarkerHit[] {
  const hits: MarkerHit[] = [];
  const taken: [number, number][] = [];
  const add = (kind: MarkerKind, re: RegExp) => {
    for (const m of text.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (taken.some(([a, b]) => start < b && a < end)) continue;
      taken.push([start, end]);
      hits.push({ kind, term: m[0], column: start });
    }
  };
  add('needs-clarification', NEEDS_CLARIFICATION);
  for (const p of PLACEHOLDERS) add('placeholder', p.re);
  add('vague', VAGUE);
  return hits.sort((a, b) => a.column - b.column);
}
