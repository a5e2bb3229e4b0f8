import { join } from 'node:path';
import { sha256 } from '../canonical';
import { DfError } from '../errors';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import { changeDir, type Layout } from '../repo/layout';
import type { Change } from '../schema/change';
import { renderTemplate, type ArtifactName, type ChangeStore } from '../store/changeStore';
import { mergeTasks, seedTasks } from './deriveTasks';
import { parseArtifact, renderArtifact, type FrontMatter } from './frontMatter';
import { formatTasks, parseTasks } from './tasksFormat';

/** What each durable artifact is derived from (DESIGN.md §3): edits to a source make it stale. */
export const DERIVED_FROM: Readonly<Record<ArtifactName, readonly ArtifactName[]>> = {
  brief: [],
  spec: ['brief'],
  plan: ['spec'],
  tasks: ['spec', 'plan'],
  impact: [],
};

export type DerivableArtifact = 'spec' | 'plan' | 'tasks';

export interface DeriveResult {
  readonly artifact: DerivableArtifact;
  readonly file: string;
  readonly action: 'created' | 'refreshed' | 'unchanged';
  /** sha256 of the artifact as it now is. */
  readonly hash: string;
  readonly derived_from: Record<string, string>;
  /** Sources whose content changed since the artifact was last derived (refreshed only). */
  readonly changed_sources: string[];
  readonly tasks?: { kept: number; added: number; dropped: number };
  /** tasks.md lines that do not parse, kept as they are. */
  readonly problems: { line: number; message: string }[];
}

/**
 * Creates an artifact from its template, or brings an existing one up to date with its
 * sources without discarding work. Template mode (no model): spec and plan keep the text a
 * person wrote and record the sources they now reflect; tasks are re-derived and merged
 * (see mergeTasks). Model-backed derivation replaces the template step with the agent loop.
 */
export function deriveArtifact(layout: Layout, store: ChangeStore, change: Change, artifact: DerivableArtifact): DeriveResult {
  const dir = changeDir(layout, change.id);
  const rel = (name: string) => `changes/${change.id}/${name}`;
  const sources: Record<string, string> = {};
  const bodies: Record<string, string> = {};
  for (const src of DERIVED_FROM[artifact]) {
    const text = readTextIfExists(join(dir, `${src}.md`));
    if (text === undefined) {
      throw new DfError('not-found', `${artifact}.md is derived from ${src}.md, which ${change.id} does not have yet`, `create it first: dynaforge ${src === 'brief' ? 'new' : src} ${change.id}`, { file: rel(`${src}.md`) });
    }
    sources[`${src}.md`] = sha256(text);
    bodies[src] = parseArtifact(text, rel(`${src}.md`)).body;
  }
  const file = rel(`${artifact}.md`);
  const current = readTextIfExists(join(dir, `${artifact}.md`));
  const meta: FrontMatter = { artifact, change: change.id, derived_from: sources };

  if (artifact === 'tasks') {
    const parsed = current === undefined ? undefined : parseArtifact(current, file);
    const base = parsed ? parsed.body : renderTemplate(store.template('tasks'), change);
    const tasks = parseTasks(base);
    const offset = parsed?.bodyOffset ?? 0;
    const merged = mergeTasks(tasks.lines, seedTasks(bodies.spec ?? '', bodies.plan ?? ''));
    const body = formatTasks(merged.lines);
    return finish(current, renderArtifact(meta, body.endsWith('\n') ? body : `${body}\n`), { tasks: { kept: merged.kept, added: merged.added, dropped: merged.dropped }, problems: tasks.problems.map((p) => ({ ...p, line: p.line + offset })) });
  }
  if (current === undefined) return finish(current, renderArtifact(meta, renderTemplate(store.template(artifact), change)), {});
  const parsed = parseArtifact(current, file);
  return finish(current, renderArtifact(meta, parsed.body), { previous: parsed.meta?.derived_from ?? {} });

  function finish(before: string | undefined, after: string, extra: { tasks?: DeriveResult['tasks']; problems?: DeriveResult['problems']; previous?: Record<string, string> }): DeriveResult {
    const action = before === undefined ? 'created' : before === after ? 'unchanged' : 'refreshed';
    if (action !== 'unchanged') writeFileAtomicSync(join(dir, `${artifact}.md`), after, file);
    const previous = extra.previous ?? (before === undefined ? {} : parseArtifact(before, file).meta?.derived_from ?? {});
    return {
      artifact,
      file,
      action,
      hash: sha256(after),
      derived_from: sources,
      changed_sources: before === undefined ? [] : Object.keys(sources).filter((s) => previous[s] !== sources[s]),
      ...(extra.tasks ? { tasks: extra.tasks } : {}),
      problems: extra.problems ?? [],
    };
  }
}
