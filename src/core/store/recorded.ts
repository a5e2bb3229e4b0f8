import { sha256 } from '../canonical';
import type { Actor } from '../schema/audit';
import type { Change } from '../schema/change';
import type { Workspace } from '../workspace';
import { setActive } from './activeChange';
import { serializeChange, type NewChangeInput } from './changeStore';

/**
 * Creates a change and records its `change.created` event. A change whose event cannot be
 * written (a read-only or torn audit log) is discarded: no change exists without its event.
 * Every face creates changes through this (CLI `new`, the agent loop's PM, the editor).
 */
export async function createRecordedChange(ws: Workspace, input: NewChangeInput, actor: Actor, correlationId: string): Promise<Change> {
  const change = await ws.store.create(input);
  try {
    await ws.audit.append({ type: 'change.created', ch_id: change.id, actor, correlation_id: correlationId, payload: { title: change.title, origin: change.origin, file: ws.store.relFile(change.id), hash: sha256(serializeChange(change)) } });
  } catch (e) {
    ws.store.discard(change.id);
    throw e;
  }
  return change;
}

/**
 * `use CH-###`: records `change.activated`, then makes the change active on this branch.
 * Recorded first, so a switch the audit log refuses does not happen.
 */
export async function activateRecorded(ws: Workspace, chId: string, actor: Actor, correlationId: string): Promise<void> {
  await ws.audit.append({ type: 'change.activated', ch_id: chId, actor, correlation_id: correlationId, payload: ws.branch ? { branch: ws.branch } : {} });
  setActive(ws.layout, chId, ws.branch);
}
