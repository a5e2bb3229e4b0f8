import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../canonical';
import { concernsOf } from '../concerns/concerns';
import { errnoCode } from '../errors';
import { changeDir } from '../repo/layout';
import type { Change } from '../schema/change';
import { loadTrace } from '../trace/loadTrace';
import type { TraceModel } from '../trace/model';
import type { Workspace } from '../workspace';
import { parseAcceptance } from './acceptance';
import { requireSpec, type LoadedDoc } from './changeDocs';
import type { ChangeFacts } from './checks';
import { scanQuestions } from './questions';

/** The facts, and what they were read from. */
export interface GatheredFacts extends ChangeFacts {
  readonly spec: LoadedDoc;
  readonly trace: TraceModel;
  /** sha256 of change.yaml and spec.md, by repository-relative path. */
  readonly inputs: Record<string, string>;
}

/** Reads a change, its spec (required), the trace and the change's concerns. */
export async function gatherFacts(ws: Workspace, id: string, command: string): Promise<GatheredFacts> {
  const change: Change = ws.store.read(id);
  const spec = requireSpec(ws, id, command);
  const { model } = await loadTrace(ws);
  const testsOf = new Map(model.requirements.map((r) => [r.id, r.tests]));
  return {
    change,
    files: filesOf(ws, id),
    criteria: parseAcceptance(spec.doc),
    questions: scanQuestions(spec.doc),
    definedFrs: new Set(model.requirements.map((r) => r.id)),
    knownTcs: new Set(model.tests.map((t) => t.id)),
    testsOf,
    openConcerns: concernsOf(ws.audit, id).filter((c) => c.status !== 'resolved'),
    spec,
    trace: model,
    inputs: { [ws.store.relFile(id)]: fileHash(join(changeDir(ws.layout, id), 'change.yaml')), [spec.file]: spec.hash },
  };
}

function filesOf(ws: Workspace, id: string): Set<string> {
  try {
    return new Set(readdirSync(changeDir(ws.layout, id), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return new Set();
    throw e;
  }
}

/** sha256 of a file's bytes (it was just read, so it exists). */
export function fileHash(path: string): string {
  return sha256(readFileSync(path));
}
