import { parseQuestionId } from '../../core/analyze/questions';
import { STAGES, type Stage } from '../../core/schema/change';
import { parseChangeId } from '../../core/store/changeIds';

/**
 * What a person typed after a slash command, e.g. `/deny CH-002 spec "FR-2 is vague"` or
 * `/capture --working --into CH-003`: recognised words are taken out (change id, stage, task,
 * question, keywords, flags) and the rest is the free text (a title, a note, an answer).
 */
export interface ChatArgs {
  /** Every word, in order (quotes removed). */
  readonly words: readonly string[];
  readonly chId?: string;
  readonly stage?: Stage;
  /** `T-003`. */
  readonly task?: string;
  /** `Q-2`. */
  readonly question?: string;
  /** `--flag value` and `--flag` (then `true`). */
  readonly flags: ReadonlyMap<string, string | true>;
  /** Words the command asked to recognise (`resume`, `abort`, `all`, …), lower-cased. */
  readonly keywords: ReadonlySet<string>;
  /** What is left, joined with spaces. */
  readonly text: string;
}

/** Flags that take a value; any other `--flag` is a switch. */
const VALUED = new Set(['from', 'into', 'title', 'note', 'verify', 'scope', 'fr']);
const CHANGE = /^ch-?\d{1,9}$/i;
const TASK = /^t-\d{3,}$/i;
const QUESTION = /^q-?\d+$/i;

/** Words, with "double" or 'single' quotes grouping. */
export function splitWords(prompt: string): string[] {
  const out: string[] = [];
  for (const m of prompt.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/**
 * Parses a prompt. Only the first change id, stage, task and question are taken; `keywords`
 * are recognised only as the first word left. A stage is a stage only when `stages` is set
 * (so "/new Plan the export" keeps its words).
 */
export function parseChatArgs(prompt: string, opts: { keywords?: readonly string[]; stages?: boolean; ids?: boolean } = {}): ChatArgs {
  const words = splitWords(prompt.trim());
  const flags = new Map<string, string | true>();
  const keywords = new Set<string>();
  const rest: string[] = [];
  let chId: string | undefined;
  let stage: Stage | undefined;
  let task: string | undefined;
  let question: string | undefined;
  const ids = opts.ids ?? true;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const lower = w.toLowerCase();
    if (w.startsWith('--') && w.length > 2) {
      const [name, inline] = w.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (inline !== undefined) flags.set(name, inline);
      else if (VALUED.has(name) && i + 1 < words.length) flags.set(name, words[++i] as string);
      else flags.set(name, true);
    } else if (ids && !chId && CHANGE.test(w)) chId = parseChangeId(w);
    else if (ids && !task && TASK.test(w)) task = w.toUpperCase();
    else if (ids && !question && QUESTION.test(w)) question = parseQuestionId(w);
    else if (opts.stages && !stage && (STAGES as readonly string[]).includes(lower)) stage = lower as Stage;
    else if (rest.length === 0 && opts.keywords?.includes(lower)) keywords.add(lower);
    else rest.push(w);
  }
  return { words, ...(chId ? { chId } : {}), ...(stage ? { stage } : {}), ...(task ? { task } : {}), ...(question ? { question } : {}), flags, keywords, text: rest.join(' ') };
}
