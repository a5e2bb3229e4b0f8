import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { prettyJson } from '../canonical';
import { DfError } from '../errors';
import { readTextIfExists, writeFileAtomicSync } from '../fs/atomic';
import type { Layout } from '../repo/layout';
import { ChangeIdSchema } from '../schema/ids';
import { parseChangeId } from './changeIds';

export type ActiveSource = 'env' | 'use' | 'branch';

export interface ActiveChange {
  readonly id: string;
  /** Why this change is active: DF_CHANGE, `dynaforge use`, or the branch name. */
  readonly source: ActiveSource;
}

const ActiveFileSchema = z.object({ id: ChangeIdSchema, branch: z.string().optional() });

/** `ch/CH-012-rate-limit` (or `ch/12-…`) implies CH-012. */
export function changeIdFromBranch(branch: string | undefined): string | undefined {
  const m = branch ? /^ch\/(?:ch-)?(\d{1,9})(?:[-_/].*)?$/i.exec(branch) : null;
  return m ? parseChangeId(m[1] as string) : undefined;
}

/**
 * The active change, by precedence: `DF_CHANGE`; then `dynaforge use` when it was set on
 * the current branch; then a `ch/CH-…` branch name; then `use` set on another branch.
 */
export function resolveActive(layout: Layout, env: NodeJS.ProcessEnv, branch: string | undefined): ActiveChange | undefined {
  if (env.DF_CHANGE?.trim()) return { id: changeIdFromEnv(env.DF_CHANGE), source: 'env' };
  const used = readUse(layout);
  const fromBranch = changeIdFromBranch(branch);
  if (used && (used.branch === branch || !fromBranch)) return { id: used.id, source: 'use' };
  if (fromBranch) return { id: fromBranch, source: 'branch' };
  return undefined;
}

/** `DF_CHANGE` as a change id; a bad value names the variable, which the user may have forgotten they set. */
function changeIdFromEnv(value: string): string {
  try {
    return parseChangeId(value);
  } catch {
    throw new DfError('invalid-id', `DF_CHANGE="${value}" is not a change id`, 'set DF_CHANGE to a change id like CH-012, or unset it', { field: 'DF_CHANGE' });
  }
}

/** Records `id` as active for this working copy (gitignored state), remembering the branch. */
export function setActive(layout: Layout, id: string, branch: string | undefined): void {
  writeFileAtomicSync(join(layout.stateDir, 'active.json'), prettyJson({ id, ...(branch ? { branch } : {}) }), '.dynaforge/state/active.json');
}

/** Forgets the change set with `use` (DF_CHANGE and a ch/ branch still apply). */
export function clearActive(layout: Layout): void {
  rmSync(join(layout.stateDir, 'active.json'), { force: true });
}

function readUse(layout: Layout): z.infer<typeof ActiveFileSchema> | undefined {
  const text = readTextIfExists(join(layout.stateDir, 'active.json'));
  if (text === undefined) return undefined;
  try {
    const r = ActiveFileSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined; // unreadable state is as good as none; `use` rewrites it
  }
}
