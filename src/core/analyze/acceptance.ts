import { enclosing, listItems, sectionsNamed, type MdDoc } from './markdown';

/** One acceptance criterion of a spec: a list item under an "Acceptance criteria" heading. */
export interface Criterion {
  /** File line of the item. */
  readonly line: number;
  readonly text: string;
  /** TC ids the item (with its continuation lines and sub-items) names, in order, once each. */
  readonly tcs: readonly string[];
  /** The requirement whose heading (`### FR-12: …`) the criteria section sits under, if any. */
  readonly fr?: string;
}

/** The heading that introduces acceptance criteria (any level; case, a trailing colon and emphasis ignored). */
export const ACCEPTANCE_HEADING = 'Acceptance criteria';

const TC_ID = /\bTC-[\w.-]*\w/g;
const FR_HEADING = /^(FR-[\w.-]*\w)/;

/**
 * The acceptance criteria of a spec, from every "Acceptance criteria" section: the spec-wide
 * `## Acceptance criteria` and per-requirement ones (`#### Acceptance criteria` under
 * `### FR-12: …`). Each top-level list item is one criterion; a task-list box is ignored.
 */
export function parseAcceptance(doc: MdDoc): Criterion[] {
  const out = new Map<number, Criterion>(); // nested criteria sections would list an item twice
  for (const s of sectionsNamed(doc, ACCEPTANCE_HEADING)) {
    const owner = enclosing(doc, s.at, (o) => o.level < s.level && FR_HEADING.test(o.title));
    const fr = owner ? (FR_HEADING.exec(owner.title)?.[1] as string) : undefined;
    for (const item of listItems(doc, s)) {
      const line = doc.lines[item.at]?.n as number;
      if (!out.has(line)) out.set(line, { line, text: item.text, tcs: [...new Set(item.fullText.match(TC_ID) ?? [])], ...(fr ? { fr } : {}) });
    }
  }
  return [...out.values()].sort((a, b) => a.line - b.line);
}
