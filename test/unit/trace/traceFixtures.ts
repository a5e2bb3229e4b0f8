import type { TraceChangeInput } from '../../../src/core/trace/model';
import type { IdOccurrence } from '../../../src/core/trace/sources';

/** A requirement heading found at file:line. */
export function fr(id: string, title: string, file: string, line: number): IdOccurrence {
  return { kind: 'fr', id, text: title, file, line, mentions: [] };
}

/** A test-case id found at file:line, naming `frs` on the same line. */
export function tc(id: string, file: string, line: number, ...frs: string[]): IdOccurrence {
  return { kind: 'tc', id, text: '', file, line, mentions: frs };
}

/** A workstream id found at file:line, naming `frs` on the same line. */
export function ws(id: string, title: string, file: string, line: number, ...frs: string[]): IdOccurrence {
  return { kind: 'ws', id, text: title, file, line, mentions: frs };
}

export function change(id: string, over: Partial<TraceChangeInput> = {}): TraceChangeInput {
  return { id, title: `Change ${id}`, lifecycle: 'Draft', paths: [], frs: [], ws: [], tcs: [], evidence: [], file: `changes/${id}/change.yaml`, ...over };
}
