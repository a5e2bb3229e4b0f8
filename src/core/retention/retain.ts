import { lstatSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors';
import { ioError, writeFileAtomicSync } from '../fs/atomic';
import { withLock } from '../fs/lock';
import type { Actor } from '../schema/audit';
import { RETAIN_MARKER } from '../schema/run';
import { retentionLock, type RetentionApplyWorkspace } from './apply';
import { assertRunFolder, parseRunRef, readRunJson, type RunRef } from './runFolders';

export interface RetainResult extends RunRef {
  /** Project-relative path of the marker. */
  readonly marker: string;
  /** Whether the marker is there now. */
  readonly retained: boolean;
  /** Whether this call changed anything (and so recorded an event). */
  readonly changed: boolean;
  readonly run_id?: string;
}

/**
 * Writes (or with `release`, removes) the `.retain` marker of a run, under the retention lock
 * so it never races an `apply`. A change is recorded as `retention.retained` /
 * `retention.released` in the change's stream; asking for the state a run already has changes
 * nothing and records nothing.
 */
export async function setRetained(ws: RetentionApplyWorkspace, input: string, opts: { release?: boolean; actor: Actor; correlationId: string }): Promise<RetainResult> {
  const ref = parseRunRef(input);
  return withLock(retentionLock(ws.layout), async () => {
    const abs = assertRunFolder(ws.layout.root, ref.path);
    const marker = join(abs, RETAIN_MARKER);
    const markerRel = `${ref.path}/${RETAIN_MARKER}`;
    const json = readRunJson(abs, ref);
    const runId = 'run' in json ? json.run.run_id : undefined;
    const had = exists(marker, markerRel);
    const want = !opts.release;
    const result = { ...ref, marker: markerRel, retained: want, ...(runId ? { run_id: runId } : {}) };
    if (had === want) return { ...result, changed: false };
    if (want) writeFileAtomicSync(marker, `retained by ${opts.actor.id} at ${ws.clock.nowIso()}\n`, markerRel);
    else {
      try {
        unlinkSync(marker);
      } catch (e) {
        throw ioError('delete', markerRel, e);
      }
    }
    await ws.audit.append({
      type: want ? 'retention.retained' : 'retention.released',
      ch_id: ref.ch_id,
      actor: opts.actor,
      correlation_id: opts.correlationId,
      ...(runId ? { run_id: runId } : {}),
      payload: { run: ref.path, ...(runId ? { run_id: runId } : {}), marker: markerRel },
    });
    return { ...result, changed: true };
  }, '.dynaforge/state/locks/retention');
}

function exists(p: string, display: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw ioError('read', display, e);
  }
}
