/** Run folders made by hand (the Implementer is not needed to test retention), and a project to hold them. */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prettyJson } from '../../../src/core/canonical';
import { initProject } from '../../../src/core/init/init';
import { fixedClock } from '../../../src/core/ports/clock';
import { layoutAt } from '../../../src/core/repo/layout';
import type { RetentionPolicy } from '../../../src/core/retention/plan';
import type { RunFolder } from '../../../src/core/retention/runFolders';
import type { Run, RunStatus } from '../../../src/core/schema/run';
import { Workspace } from '../../../src/core/workspace';

export const NOW = '2026-11-21T09:00:00.000Z';
export const NOW_MS = Date.parse(NOW);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const KB = 1024;
export const ACTOR = { kind: 'human' as const, id: 'Ada <ada@example.com>', role: 'user' };
export const DEFAULT_POLICY: RetentionPolicy = { success_ttl_hours: 48, failed_ttl_days: 30, size_cap_mb: 500 };

/** An ISO time `ms` before NOW. */
export function ago(ms: number): string {
  return new Date(NOW_MS - ms).toISOString();
}

/** A project (no git) with the frozen clock; `policy` is written to config.yaml. */
export async function openProject(dir: string, policy: Partial<RetentionPolicy> = {}): Promise<Workspace> {
  const clock = fixedClock(NOW);
  initProject(layoutAt(dir), clock);
  const lines = Object.entries(policy).map(([k, v]) => `  ${k}: ${v}`);
  if (lines.length) writeFileSync(join(dir, '.dynaforge/config.yaml'), `version: 1\nretention:\n${lines.join('\n')}\n`);
  return Workspace.open({ cwd: dir, env: { DYNAFORGE_NOW: NOW }, clock });
}

export interface RunSpec {
  readonly status?: RunStatus;
  readonly started?: string;
  readonly finished?: string;
  readonly concern?: string;
  /** Extra bytes in `work/payload.bin` (a nested file, so the size walk must recurse). */
  readonly payload?: number;
  readonly retain?: boolean;
  /** Written as run.json instead of a valid one; `null` writes none. */
  readonly rawRunJson?: string | null;
  /** mtime of every file and folder of the run, for runs aged by their files. */
  readonly mtime?: string;
}

/** Writes artifacts/work/CH/run-N with a run.json and returns the folder (absolute). */
export function makeRun(root: string, ch: string, n: number, spec: RunSpec = {}): string {
  const dir = join(root, 'artifacts/work', ch, `run-${n}`);
  mkdirSync(join(dir, 'work'), { recursive: true });
  const status = spec.status ?? 'succeeded';
  const run: Run = {
    version: 1,
    run_id: `run-${ch}-${n}`,
    ch_id: ch,
    n,
    status,
    seed: 7,
    model: 'none',
    started: spec.started ?? ago(3 * HOUR),
    ...(status === 'running' ? {} : { finished: spec.finished ?? ago(2 * HOUR) }),
    max_steps: 10,
    steps_done: 3,
    ...(spec.concern ? { concern: spec.concern } : {}),
  };
  if (spec.rawRunJson !== null) writeFileSync(join(dir, 'run.json'), spec.rawRunJson ?? prettyJson(run));
  writeFileSync(join(dir, 'work', 'payload.bin'), Buffer.alloc(spec.payload ?? 0, 1));
  writeFileSync(join(dir, 'transcript.md'), '# transcript\n');
  if (spec.retain) writeFileSync(join(dir, '.retain'), '');
  if (spec.mtime) {
    const t = new Date(spec.mtime);
    for (const p of [join(dir, 'work', 'payload.bin'), join(dir, 'transcript.md'), join(dir, 'work'), dir]) utimesSync(p, t, t);
    if (spec.rawRunJson !== null) utimesSync(join(dir, 'run.json'), t, t);
  }
  return dir;
}

/** A scanned folder, without a disk: for the pure rules. */
export function folder(ch: string, n: number, o: { status?: RunStatus; since?: string; started?: string; bytes?: number; retained?: boolean; problem?: string; kind?: 'run' | 'leftover'; concern?: string } = {}): RunFolder {
  const status = o.status ?? 'succeeded';
  const since = o.since ?? ago(HOUR);
  const base = { ch_id: ch, n, ref: `${ch}/run-${n}`, path: `artifacts/work/${ch}/${o.kind === 'leftover' ? `.run-${n}.deleting` : `run-${n}`}`, kind: o.kind ?? 'run', retained: o.retained ?? false, bytes: o.bytes ?? 100, unreadable: [] } as const;
  if (o.problem) return { ...base, problem: o.problem, newestMs: Date.parse(since) };
  const run: Run = {
    version: 1,
    run_id: `r-${ch}-${n}`,
    ch_id: ch,
    n,
    status,
    seed: 1,
    model: 'none',
    started: o.started ?? since,
    ...(status === 'running' ? {} : { finished: since }),
    max_steps: 5,
    steps_done: 1,
    ...(o.concern ? { concern: o.concern } : {}),
  };
  return { ...base, run, newestMs: 0 };
}
