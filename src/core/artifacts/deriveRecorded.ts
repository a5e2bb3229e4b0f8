import type { Actor } from '../schema/audit';
import type { Workspace } from '../workspace';
import { deriveArtifact, type DerivableArtifact, type DeriveResult } from './derive';

/** Derives (creates or refreshes) an artifact and records it as an `artifact.derived` event. */
export async function deriveAndRecord(ws: Workspace, chId: string, artifact: DerivableArtifact, actor: Actor, correlationId: string): Promise<DeriveResult> {
  const r = deriveArtifact(ws.layout, ws.store, ws.store.read(chId), artifact);
  await ws.audit.append({
    type: 'artifact.derived',
    ch_id: chId,
    actor,
    correlation_id: correlationId,
    payload: { artifact: `${artifact}.md`, action: r.action, hash: r.hash, derived_from: r.derived_from, ...(r.tasks ? { tasks: r.tasks } : {}) },
  });
  return r;
}
