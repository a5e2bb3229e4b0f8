import { isDfError } from '../errors';
import type { Actor } from '../schema/audit';
import type { Workspace } from '../workspace';

export interface CommandRecord {
  readonly name: string;
  readonly args: readonly string[];
  /** Where it ran, relative to the project root. */
  readonly cwd: string;
  readonly exitCode: number;
  /** The error it ended with; absent when it succeeded. */
  readonly error?: unknown;
  /** The change it was about: its stream gets the event when that change exists, else the project stream. */
  readonly chId?: string;
  readonly actor: Actor;
  readonly correlationId: string;
}

/** The `command` event every invocation leaves, whichever face ran it (CLI, editor, chat, tools). */
export async function recordCommandEvent(ws: Workspace, r: CommandRecord): Promise<void> {
  const chId = r.chId && ws.store.exists(r.chId) ? r.chId : undefined;
  await ws.audit.append({
    type: 'command',
    ...(chId ? { ch_id: chId } : {}),
    actor: r.actor,
    correlation_id: r.correlationId,
    payload: {
      name: r.name,
      args: [...r.args],
      cwd: r.cwd,
      outcome: r.exitCode === 0 ? 'ok' : 'error',
      exit_code: r.exitCode,
      ...(r.error !== undefined ? { error: isDfError(r.error) ? `${r.error.code}: ${r.error.message}` : 'internal error' } : {}),
    },
  });
}
