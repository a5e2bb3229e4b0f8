import { lstatSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DfError, errnoCode, isDfError } from '../errors';
import { ioError } from '../fs/atomic';
import { withLock } from '../fs/lock';
import type { Layout } from '../repo/layout';
import type { Actor } from '../schema/audit';
import type { Workspace } from '../workspace';
import { planRetention, type DeleteRule, type RetentionItem, type RetentionPlan, type RetentionWorkspace } from './plan';
import { assertRunFolder, leftoverName } from './runFolders';

export type RetentionApplyWorkspace = RetentionWorkspace & Pick<Workspace, 'audit'>;

export interface ApplyOptions {
  readonly actor: Actor;
  readonly correlationId: string;
  /** Plan under the lock and delete nothing. */
  readonly dryRun?: boolean;
}

export interface DeletedRun {
  readonly item: RetentionItem;
  /** seq of its `retention.deleted` event in the change's stream. */
  readonly seq: number;
  /** The folder was recorded as deleted but could not be removed entirely: what is left (the next apply removes it). */
  readonly leftover?: string;
  readonly error?: DfError;
}

export interface RetentionResult {
  readonly plan: RetentionPlan;
  readonly dry_run: boolean;
  readonly deleted: readonly DeletedRun[];
  /** Runs planned for deletion that were not touched, with why (nothing was recorded for them). */
  readonly failed: readonly { readonly item: RetentionItem; readonly error: DfError }[];
}

/** The lock every change to run folders by retention takes: deleting, retaining, linking a concern. */
export function retentionLock(layout: Layout): string {
  return join(layout.lockDir, 'retention');
}

/**
 * Plans and deletes, under one cross-process lock: a second `apply` at the same time waits,
 * then plans again and finds nothing left to do (idempotent). Each run is first renamed to
 * `.run-N.deleting` (it vanishes whole, never half), then its `retention.deleted` event is
 * appended to the change's stream, then the folder is removed. An interruption leaves the
 * `.deleting` folder, which the next apply removes (reason `interrupted`): no folder leaves
 * without an event.
 */
export async function applyRetention(ws: RetentionApplyWorkspace, opts: ApplyOptions): Promise<RetentionResult> {
  return withLock(retentionLock(ws.layout), async () => {
    const plan = planRetention(ws);
    const deleted: DeletedRun[] = [];
    const failed: { item: RetentionItem; error: DfError }[] = [];
    if (opts.dryRun) return { plan, dry_run: true, deleted, failed };
    for (const item of plan.items) {
      if (item.decision !== 'delete') continue;
      let trash: string;
      try {
        trash = moveAside(ws.layout.root, item);
      } catch (e) {
        if (!isDfError(e)) throw e;
        failed.push({ item, error: e });
        continue;
      }
      const event = await ws.audit.append({
        type: 'retention.deleted',
        ch_id: item.ch_id,
        actor: opts.actor,
        correlation_id: opts.correlationId,
        ...(item.run_id ? { run_id: item.run_id } : {}),
        payload: {
          run: item.path,
          ch_id: item.ch_id,
          ...(item.run_id ? { run_id: item.run_id } : {}),
          status: item.status,
          reason: item.rule as DeleteRule,
          detail: item.reason,
          bytes: item.bytes,
          ...(item.concern ? { concern: item.concern } : {}),
        },
      });
      const left = removeTree(ws.layout.root, trash);
      deleted.push({ item, seq: event.seq, ...left });
    }
    return { plan, dry_run: false, deleted, failed };
  }, '.dynaforge/state/locks/retention');
}

/** Proves the item is a run folder, then renames it to its `.deleting` name; returns that (absolute). */
function moveAside(root: string, item: RetentionItem): string {
  const abs = assertRunFolder(root, item.path);
  if (item.kind === 'leftover') return abs;
  const trash = join(dirname(abs), leftoverName(item.n));
  const trashRel = `${dirname(item.path)}/${leftoverName(item.n)}`;
  if (exists(trash)) {
    throw new DfError('conflict', `cannot delete ${item.path}: ${trashRel} is in the way (an earlier deletion did not finish)`, `make ${trashRel} writable (\`chmod -R u+w\`) and run \`dynaforge retention apply\` again`, { file: trashRel });
  }
  try {
    renameSync(abs, trash);
  } catch (e) {
    throw ioError('delete', item.path, e);
  }
  return trash;
}

/** rm -rf of a folder already proven to be ours (links inside are removed, never followed). */
function removeTree(root: string, abs: string): { leftover?: string; error?: DfError } {
  const rel = abs.slice(root.length + 1).replace(/\\/g, '/');
  try {
    rmSync(abs, { recursive: true, force: true, maxRetries: 2 });
    return {};
  } catch (e) {
    const error = ioError('delete', rel, e);
    return { leftover: rel, error: new DfError('io', `${error.message}; recorded as deleted, ${rel} is what is left`, `make it writable (\`chmod -R u+w ${rel}\`) and run \`dynaforge retention apply\` again`, { file: rel }, { cause: e }) };
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw e;
  }
}
