import { join } from 'node:path';
import type { AuditLog } from '../audit/auditLog';
import { changeStream } from '../audit/streams';
import { DfError } from '../errors';
import { withLock } from '../fs/lock';
import type { Layout } from '../repo/layout';
import type { Actor, AuditEvent } from '../schema/audit';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type ConcernStatus = 'open' | 'acknowledged' | 'resolved';

/** A concern's current state, folded from its events; never stored, never edited in place. */
export interface Concern {
  readonly id: string;
  readonly ch_id: string;
  readonly source: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly status: ConcernStatus;
  readonly evidence: readonly string[];
  readonly assignee?: string;
  readonly raised_by: string;
  readonly raised_at: string;
  readonly updated_at: string;
  readonly notes: readonly string[];
}

/** Folds a change stream's concern events, in order, into the concerns' current state. */
export function foldConcerns(events: readonly AuditEvent[]): Concern[] {
  const byId = new Map<string, Concern>();
  for (const e of events) {
    const p = e.payload as Record<string, unknown>;
    const id = p.concern_id as string | undefined;
    if (!id || !e.type.startsWith('concern.')) continue;
    const cur = byId.get(id);
    const note = typeof p.note === 'string' && p.note ? [`${e.ts} ${e.actor.id}: ${p.note}`] : [];
    if (e.type === 'concern.raised') {
      byId.set(id, {
        id,
        ch_id: e.ch_id as string,
        source: p.source as string,
        severity: p.severity as Severity,
        summary: p.summary as string,
        status: 'open',
        evidence: p.evidence as string[],
        raised_by: e.actor.id,
        raised_at: e.ts,
        updated_at: e.ts,
        notes: [],
      });
    } else if (cur && e.type === 'concern.acknowledged') {
      byId.set(id, { ...cur, status: cur.status === 'resolved' ? 'resolved' : 'acknowledged', updated_at: e.ts, notes: [...cur.notes, ...note] });
    } else if (cur && e.type === 'concern.resolved') {
      byId.set(id, { ...cur, status: 'resolved', updated_at: e.ts, notes: [...cur.notes, ...note] });
    } else if (cur && e.type === 'concern.assigned') {
      byId.set(id, { ...cur, assignee: p.assignee as string, updated_at: e.ts });
    }
  }
  return [...byId.values()];
}

/** `CH-012/C-3` → {ch: CH-012, id: C-3}; a bare `C-3` needs `defaultCh`. */
export function parseConcernRef(ref: string, defaultCh: string | undefined): { ch: string; id: string } {
  const m = /^(?:(CH-\d{3,})\/)?(C-\d+)$/i.exec(ref.trim());
  if (!m) throw new DfError('usage', `"${ref}" is not a concern reference`, 'use CH-012/C-3 (or C-3 with an active change)', { field: 'concern' });
  const ch = m[1]?.toUpperCase() ?? defaultCh;
  if (!ch) throw new DfError('usage', `which change does ${ref} belong to?`, `write it as CH-012/${m[2]}, or set an active change with \`dynaforge use\``, { field: 'concern' });
  return { ch, id: (m[2] as string).toUpperCase() };
}

export interface ConcernContext {
  readonly layout: Layout;
  readonly audit: AuditLog;
  readonly actor: Actor;
  readonly correlationId: string;
}

export function concernsOf(audit: AuditLog, chId: string): Concern[] {
  return foldConcerns(audit.read(changeStream(chId)));
}

/** Raises a concern; ids are `C-<n>` per change, allocated under a lock so two raisers never share one. */
export async function raiseConcern(ctx: ConcernContext, chId: string, input: { severity: Severity; source: string; summary: string; evidence: string[] }): Promise<Concern> {
  if (!input.summary.trim()) throw new DfError('usage', 'a concern needs a summary', 'say what is wrong, e.g. dynaforge concern raise "login has no rate limit"', { field: 'summary' });
  return withLock(join(ctx.layout.lockDir, 'concerns', chId), async () => {
    const id = `C-${concernsOf(ctx.audit, chId).length + 1}`;
    await ctx.audit.append({ type: 'concern.raised', ch_id: chId, actor: ctx.actor, correlation_id: ctx.correlationId, payload: { concern_id: id, ...input, summary: input.summary.trim() } });
    return concernsOf(ctx.audit, chId).find((c) => c.id === id) as Concern;
  });
}

export type ConcernAction = { kind: 'ack'; note?: string } | { kind: 'resolve'; note?: string } | { kind: 'assign'; assignee: string };

/** Acknowledges, resolves or assigns a concern by appending an event; returns the new state. */
export async function updateConcern(ctx: ConcernContext, chId: string, concernId: string, action: ConcernAction): Promise<Concern> {
  return withLock(join(ctx.layout.lockDir, 'concerns', chId), async () => {
    const cur = concernsOf(ctx.audit, chId).find((c) => c.id === concernId);
    if (!cur) throw new DfError('not-found', `${chId} has no concern ${concernId}`, `see \`dynaforge concern list ${chId}\``, { field: 'concern' });
    const base = { ch_id: chId, actor: ctx.actor, correlation_id: ctx.correlationId };
    const note = 'note' in action && action.note ? { note: action.note } : {};
    if (action.kind === 'ack') await ctx.audit.append({ ...base, type: 'concern.acknowledged', payload: { concern_id: concernId, ...note } });
    else if (action.kind === 'resolve') await ctx.audit.append({ ...base, type: 'concern.resolved', payload: { concern_id: concernId, ...note } });
    else await ctx.audit.append({ ...base, type: 'concern.assigned', payload: { concern_id: concernId, assignee: action.assignee } });
    return concernsOf(ctx.audit, chId).find((c) => c.id === concernId) as Concern;
  });
}
