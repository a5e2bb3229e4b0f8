import { join } from 'node:path';
import type { DfError } from '../errors';
import { readTextIfExists } from '../fs/atomic';
import type { Change } from '../schema/change';
import { deriveStatus } from '../status/lifecycle';
import type { ChangeListing } from '../store/changeStore';
import type { Workspace } from '../workspace';
import { buildTrace, type TraceChangeInput, type TraceModel } from './model';
import { scanSources } from './sources';

export interface LoadedTrace {
  readonly model: TraceModel;
  /** Change folders whose change.yaml does not load: the trace lacks them, so they are reported. */
  readonly problems: readonly DfError[];
}

/** Reads the trace sources of the config and every change, and links them (model.ts). */
export async function loadTrace(ws: Workspace, listing: ChangeListing = ws.store.list()): Promise<LoadedTrace> {
  const sources = ws.config.trace.sources;
  const occurrences = await scanSources(ws.layout.root, sources);
  const { changes, problems } = listing;
  const inputs = changes.map((c) => traceChange(ws, c));
  return { model: buildTrace(occurrences, inputs, { wsSourced: sources.some((s) => s.kind === 'ws') }), problems };
}

function traceChange(ws: Workspace, change: Change): TraceChangeInput {
  const file = ws.store.relFile(change.id);
  const { paths, frs, ws: wss, tcs } = change.scope;
  return {
    id: change.id,
    title: change.title,
    // The lifecycle depends on approvals and artifacts only, not on concerns: no audit stream is read.
    lifecycle: deriveStatus(change, ws.store.artifacts(change.id), [], ws.config).lifecycle,
    paths,
    frs,
    ws: wss,
    tcs,
    evidence: change.evidence,
    file,
    lines: scopeLines(readTextIfExists(join(ws.layout.root, file)) ?? '', [...frs, ...wss, ...tcs]),
  };
}

/** The line of change.yaml listing each id (`- FR-1`), so a gap can point at it. */
export function scopeLines(yaml: string, ids: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const wanted = new Set(ids);
  yaml.split(/\r?\n/).forEach((line, i) => {
    const m = /^\s*-\s+['"]?([^'"\s#]+)['"]?\s*(?:#.*)?$/.exec(line);
    if (m && wanted.has(m[1] as string) && out[m[1] as string] === undefined) out[m[1] as string] = i + 1;
  });
  return out;
}
