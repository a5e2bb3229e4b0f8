import { DfError } from '../errors';
import { findMarkers, type MarkerHit } from './markers';
import { listItems, sectionsNamed, type MdDoc } from './markdown';

/**
 * What `clarify` lists: spec lines holding ambiguity markers, lines ending in `?`, and the
 * items of an "Open questions" section — one entry per line — each with an id `Q-<n>`.
 *
 * Answering links the two ends: the question's line gets a ` (clarified: Q-2)` tag and the
 * `## Clarifications` section an entry `- **Q-2** (date, author): question → answer`. A line
 * carrying a tag is answered, whatever markers remain on it; the Clarifications section itself
 * is never scanned. Ids: an answered question keeps its id for good (it is written in the
 * file); open ones take, in line order, the lowest ids no answer uses. So answering never
 * renumbers; a new question inserted above an open one does shift the ids below it.
 */

export const CLARIFICATIONS_HEADING = 'Clarifications';
export const OPEN_QUESTIONS_HEADING = 'Open questions';

export type QuestionReason = 'needs-clarification' | 'placeholder' | 'vague' | 'question' | 'open-questions-item';

export interface Question {
  readonly id: string;
  /** File line of the question. */
  readonly line: number;
  /** The line's text (comments blanked, the list marker and any clarified tag removed). */
  readonly text: string;
  readonly reasons: readonly QuestionReason[];
  readonly markers: readonly MarkerHit[];
  readonly status: 'open' | 'answered';
  /** For an answered question: the line of its entry under Clarifications, when there is one. */
  readonly answer_line?: number;
}

/** A `(clarified: Q-n)` tag whose Clarifications entry is missing. */
export interface DanglingTag {
  readonly id: string;
  readonly line: number;
}

export interface QuestionScan {
  /** In line order. */
  readonly questions: readonly Question[];
  /** Clarifications entries by id, with their lines. */
  readonly answers: ReadonlyMap<string, number>;
  readonly dangling: readonly DanglingTag[];
}

const TAG = /[ \t]*\(clarified:[ \t]*(Q-\d+)\)/i;
const LIST_PREFIX = /^\s*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?/;
const ENTRY = /^(?:\*\*)?(Q-\d+)(?:\*\*)?(?![\w-])/i;
/** Items of an Open questions section that say there are none. */
const NONE = /^[(]?(?:none|n\/a|nothing|no open questions)[.)]?\.?$/i;

/** `Q-2`, `q-2`, `q2` → `Q-2`; anything else is a usage error. */
export function parseQuestionId(text: string): string {
  const m = /^q-?(\d+)$/i.exec(text.trim());
  if (!m) throw new DfError('usage', `"${text}" is not a question id`, 'question ids look like Q-2: run `dynaforge clarify` to list them', { field: '--answer' });
  return `Q-${Number(m[1])}`;
}

export function scanQuestions(doc: MdDoc): QuestionScan {
  const clarifications = sectionsNamed(doc, CLARIFICATIONS_HEADING);
  const inClarifications = (i: number) => clarifications.some((s) => s.at <= i && i < s.end);

  const answers = new Map<string, number>();
  for (const s of clarifications) {
    for (const item of listItems(doc, s)) {
      const m = ENTRY.exec(item.text);
      const id = m ? `Q-${Number((m[1] as string).slice(2))}` : undefined;
      if (id && !answers.has(id)) answers.set(id, doc.lines[item.at]?.n as number);
    }
  }

  const openItems = new Set<number>();
  for (const s of sectionsNamed(doc, OPEN_QUESTIONS_HEADING)) for (const item of listItems(doc, s)) if (!NONE.test(item.text.replace(TAG, '').trim())) openItems.add(item.at);

  interface Found {
    line: number;
    text: string;
    reasons: QuestionReason[];
    markers: MarkerHit[];
    tag?: string;
  }
  const found: Found[] = [];
  doc.lines.forEach((l, i) => {
    if (!l.prose || l.heading || inClarifications(i)) return;
    const tagMatch = TAG.exec(l.text);
    const tag = tagMatch ? `Q-${Number((tagMatch[1] as string).slice(2))}` : undefined;
    const text = l.text.replace(TAG, '');
    const markers = findMarkers(text);
    const reasons: QuestionReason[] = [...new Set(markers.map((m) => m.kind))];
    if (text.trim().endsWith('?')) reasons.push('question');
    if (openItems.has(i)) reasons.push('open-questions-item');
    if (!reasons.length && !tag) return;
    found.push({ line: l.n, text: text.replace(LIST_PREFIX, '').trim(), reasons, markers, ...(tag ? { tag } : {}) });
  });

  const used = new Set<number>([...answers.keys(), ...found.flatMap((f) => (f.tag ? [f.tag] : []))].map((id) => Number(id.slice(2))));
  let next = 1;
  const questions: Question[] = found.map((f) => {
    if (f.tag) {
      const at = answers.get(f.tag);
      return { id: f.tag, line: f.line, text: f.text, reasons: f.reasons, markers: f.markers, status: 'answered', ...(at !== undefined ? { answer_line: at } : {}) };
    }
    while (used.has(next)) next++;
    used.add(next);
    return { id: `Q-${next}`, line: f.line, text: f.text, reasons: f.reasons, markers: f.markers, status: 'open' };
  });
  const dangling = questions.filter((q) => q.status === 'answered' && q.answer_line === undefined).map((q) => ({ id: q.id, line: q.line }));
  return { questions, answers, dangling };
}

export interface Answer {
  /** `YYYY-MM-DD`, from the injected clock. */
  readonly date: string;
  /** Git identity `Name <email>` of whoever answered. */
  readonly author: string;
  readonly text: string;
}

/** An answer as one line of text: whitespace (newlines included) collapsed; empty is refused. */
export function normalizeAnswer(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (!clean) throw new DfError('usage', 'the answer is empty', 'give the answer as the last argument: dynaforge clarify CH-012 --answer Q-2 "Within 200 ms at p95"', { field: 'answer' });
  return clean;
}

/**
 * The spec with question `q` answered: its line tagged `(clarified: Q-n)` and an entry added
 * at the end of the Clarifications section (created at the end of the file if absent).
 * `text` is the whole file, `doc` its parse (with file line numbers). Line ends are kept.
 */
export function recordAnswer(text: string, doc: MdDoc, q: Question, answer: Answer): { text: string; entryLine: number } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const trailingNewline = lines.length > 1 && lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  lines[q.line - 1] = tagLine(lines[q.line - 1] as string, q.id);
  const entry = `- **${q.id}** (${answer.date}, ${answer.author}): ${q.text} → ${answer.text}`;

  const section = sectionsNamed(doc, CLARIFICATIONS_HEADING)[0];
  let entryLine: number;
  if (section) {
    const body = doc.lines.slice(section.at + 1, section.end);
    const last = [...body].reverse().find((l) => l.raw.trim() !== '');
    if (last) {
      lines.splice(last.n, 0, entry);
      entryLine = last.n + 1;
    } else {
      const headingLine = doc.lines[section.at]?.n as number;
      const after = lines[headingLine] !== undefined && lines[headingLine]?.trim() !== '' ? [''] : [];
      lines.splice(headingLine, 0, '', entry, ...after);
      entryLine = headingLine + 2;
    }
  } else {
    while (lines.length && lines[lines.length - 1]?.trim() === '') lines.pop();
    lines.push('', `## ${CLARIFICATIONS_HEADING}`, '', entry);
    entryLine = lines.length;
  }
  return { text: lines.join(eol) + eol, entryLine };
}

/** Adds the clarified tag: inside a table row's last cell, before a comment left open, else at the end. */
export function tagLine(raw: string, id: string): string {
  const tag = `(clarified: ${id})`;
  const open = raw.lastIndexOf('<!--');
  if (open >= 0 && raw.indexOf('-->', open) < 0) return `${raw.slice(0, open).trimEnd()} ${tag} ${raw.slice(open)}`;
  const row = /^(.*?)[ \t]*\|[ \t]*$/.exec(raw);
  if (row && raw.trimStart().startsWith('|')) return `${row[1]} ${tag} |`;
  return `${raw.trimEnd()} ${tag}`;
}

