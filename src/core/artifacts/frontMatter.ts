import { z } from 'zod';
import { DfError } from '../errors';
import { toYaml } from '../yaml/loadYaml';
import { parseYamlAs } from '../yaml/loadYaml';

/**
 * Durable artifacts (brief, spec, plan, tasks, impact) open with YAML front matter that
 * records what they were derived from, by content hash (DESIGN.md §2.2):
 *
 *   ---
 *   dynaforge:
 *     artifact: plan
 *     change: CH-012
 *     derived_from:
 *       spec.md: 3f2a…
 *   ---
 */
export const FrontMatterSchema = z.strictObject({
  dynaforge: z.strictObject({
    artifact: z.enum(['brief', 'spec', 'plan', 'tasks', 'impact']),
    change: z.string().regex(/^CH-\d{3,}$/),
    derived_from: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest')).default({}),
  }),
});
export type FrontMatter = z.infer<typeof FrontMatterSchema>['dynaforge'];

export interface ArtifactText {
  /** Absent when the file has no front matter (e.g. a hand-written brief). */
  readonly meta?: FrontMatter;
  readonly body: string;
  /** Lines before the body (the front matter block): add it to a body line to get the file line. */
  readonly bodyOffset: number;
}

/** Splits front matter from body; broken front matter is an error naming the file and line. */
export function parseArtifact(text: string, file: string): ArtifactText {
  if (!text.startsWith('---\n') && !text.startsWith('---\r\n')) return { body: text, bodyOffset: 0 };
  const end = text.search(/\r?\n---\r?\n|\r?\n---$/);
  if (end < 0) {
    throw new DfError('invalid-yaml', `${file}:1:1: the front matter opened on line 1 is never closed`, `close it with a line holding only ---, or remove the opening --- line`, { file, line: 1, column: 1 });
  }
  const yamlText = text.slice(text.indexOf('\n') + 1, end + 1);
  // Errors from the YAML inside are reported with lines of the whole file (front matter starts on line 2).
  let meta: FrontMatter;
  try {
    meta = parseYamlAs(FrontMatterSchema, yamlText, file, `fix the front matter of ${file}, or delete it and run \`dynaforge reconcile\``).dynaforge;
  } catch (e) {
    if (e instanceof DfError && e.where.line !== undefined) {
      const line = e.where.line + 1;
      throw new DfError(e.code, e.message.replace(`${file}:${e.where.line}:`, `${file}:${line}:`), e.fix, { ...e.where, line });
    }
    throw e;
  }
  const after = text.slice(end).replace(/^\r?\n---(\r?\n)?/, '');
  const head = text.slice(0, text.length - after.length);
  return { meta, body: after, bodyOffset: head.split('\n').length - 1 };
}

export function renderArtifact(meta: FrontMatter, body: string): string {
  const sorted = { ...meta, derived_from: Object.fromEntries(Object.entries(meta.derived_from).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
  return `---\n${toYaml({ dynaforge: sorted })}---\n${body}`;
}
