import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DfError, errnoCode } from '../errors';
import { withLock } from '../fs/lock';
import { mkdirSync } from 'node:fs';
import type { Git } from '../repo/git';
import type { Layout } from '../repo/layout';
import { CHANGE_ID_RE, changeNumber, formatChangeId } from '../schema/ids';

/**
 * Reads what a user typed as a change id: `CH-012`, `ch-12` or `12` all mean CH-012.
 * Anything else is a usage error that says what a change id looks like.
 */
export function parseChangeId(input: string): string {
  const text = input.trim();
  const m = /^(?:ch-?)?(\d{1,9})$/i.exec(text);
  if (!m) {
    throw new DfError('invalid-id', `"${input}" is not a change id`, 'a change id is CH- followed by digits, e.g. CH-012 (or just 12)', { field: 'change id' });
  }
  return formatChangeId(Number(m[1]));
}

/** Change ids with a folder under changes/, sorted by number. */
export function localChangeIds(layout: Layout): string[] {
  return namesIn(layout.changesDir).filter((n) => CHANGE_ID_RE.test(n)).sort((a, b) => (changeNumber(a) ?? 0) - (changeNumber(b) ?? 0));
}

/**
 * Change ids with an audit stream (audit/changes/CH-###.jsonl, see audit/streams.ts). The
 * stream outlives a deleted change folder: reusing its id would hand the new change the old
 * one's history and concerns.
 */
function auditedChangeIds(layout: Layout): string[] {
  return namesIn(join(layout.auditDir, 'changes')).map((n) => n.replace(/\.(jsonl|head)$/, '')).filter((n) => CHANGE_ID_RE.test(n));
}

function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw e;
  }
}

/**
 * Reserves the next change id by creating its folder, under a lock shared by every process
 * on this machine (editor windows, CLIs). Ids already used on other local or
 * remote-tracking branches are skipped, so two branches do not silently mint the same id.
 * Numbers only grow: the id of a deleted change is not reused while its audit stream exists.
 */
export async function allocateChangeId(layout: Layout, git: Git, checkBranches: boolean): Promise<string> {
  const remote = checkBranches ? await git.changeIdsOnOtherRefs() : new Set<string>();
  return withLock(join(layout.lockDir, 'change-ids'), () => {
    const used = [...localChangeIds(layout), ...auditedChangeIds(layout), ...remote].map((id) => changeNumber(id) ?? 0);
    let n = used.length ? Math.max(...used) + 1 : 1;
    mkdirSync(layout.changesDir, { recursive: true });
    for (;;) {
      const id = formatChangeId(n);
      try {
        mkdirSync(join(layout.changesDir, id));
        return id;
      } catch (e) {
        if (errnoCode(e) !== 'EEXIST') throw e;
        n += 1; // made by hand or by a process that did not take the lock
      }
    }
  }, 'changes/ (id allocation)');
}
