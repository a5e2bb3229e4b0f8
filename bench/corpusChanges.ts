/**
 * The Dynaforge side of the benchmark corpus, written through the engine as the CLI would:
 * `init`, then 1,000 changes with their artifacts (spec/plan/tasks derived, front matter
 * and all), approvals recorded with artifact hashes, a little drift, and 100,000 audit
 * events over the changes' streams.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../src/core/audit/auditLog';
import { projectStream } from '../src/core/audit/streams';
import { sha256 } from '../src/core/canonical';
import { deriveArtifact, type DerivableArtifact } from '../src/core/artifacts/derive';
import { loadConfig } from '../src/core/config/loadConfig';
import { initProject } from '../src/core/init/init';
import type { Clock } from '../src/core/ports/clock';
import { seededIds } from '../src/core/ports/ids';
import { noGit } from '../src/core/repo/git';
import { changeDir, layoutAt, type Layout } from '../src/core/repo/layout';
import type { Actor, AuditEventInput } from '../src/core/schema/audit';
import type { Approval, Change, RiskTier } from '../src/core/schema/change';
import { ChangeStore, serializeChange } from '../src/core/store/changeStore';
import { briefText, changeTitle, planText, specText, tcId, frId } from './corpusText';
import type { Random } from './random';

/** A clock the generator moves forward by hand: every timestamp is fixed by the plan. */
export class StepClock implements Clock {
  constructor(private ms: number) {}
  set(ms: number): void {
    this.ms = ms;
  }
  nowMs(): number {
    return this.ms;
  }
  nowIso(): string {
    return new Date(this.ms).toISOString();
  }
}

export const PEOPLE: readonly Actor[] = [
  { kind: 'human', id: 'Ada Lovelace <ada@example.com>', role: 'user' },
  { kind: 'human', id: 'Grace Hopper <grace@example.com>', role: 'user' },
  { kind: 'human', id: 'Alan Turing <alan@example.com>', role: 'user' },
];
const AGENT: Actor = { kind: 'agent', id: 'implementer', role: 'implementer' };
const HOUR = 3_600_000;
const COMMANDS = ['status', 'show', 'spec', 'plan', 'tasks', 'trace', 'impact', 'capture', 'check', 'list'];

/** What the history needs to know of a change. */
export interface PlannedChange {
  readonly id: string;
  /** Source folders in its scope (`src/<area>/<layer>`). */
  readonly dirs: string[];
  readonly frs: number[];
  readonly created: number;
}

export interface ChangesOptions {
  readonly root: string;
  readonly rng: Random;
  readonly clock: StepClock;
  /** When the first change is created (ms); the others follow every `spacing` ms. */
  readonly start: number;
  readonly spacing: number;
  readonly changes: number;
  readonly events: number;
  readonly dirs: readonly string[];
  readonly frs: number;
  readonly tcs: number;
  /** The file names of a source folder, to name in plans. */
  readonly filesOf: (dir: string) => readonly string[];
}

/** Runs `init` and creates every change with its artifacts, approvals and audit events. */
export async function writeChanges(o: ChangesOptions): Promise<PlannedChange[]> {
  const { rng, clock } = o;
  const layout = layoutAt(o.root);
  clock.set(o.start - 24 * HOUR);
  const init = initProject(layout, clock);
  const store = new ChangeStore(layout, clock, noGit, loadConfig(layout));
  const audit = new AuditLog({ root: o.root, auditDir: layout.auditDir, lockDir: layout.lockDir, clock, projectStream: projectStream('main', 'ada@example.com') });
  const ids = seededIds('dynaforge-bench-corpus');
  const owner = PEOPLE[0] as Actor;
  await audit.append({ type: 'project.initialized', actor: owner, correlation_id: ids.next('cor'), payload: { written: init.written, kept: init.kept, upgraded: init.upgraded, backups: init.backups } });

  // Events per change: a spread around the mean that adds up to exactly o.events.
  const weights = Array.from({ length: o.changes }, () => rng.int(30, 170));
  const total = weights.reduce((a, b) => a + b, 0);
  const quota = weights.map((w) => Math.floor((w * o.events) / total));
  for (let i = 0, left = o.events - quota.reduce((a, b) => a + b, 0); left > 0; i++, left--) quota[i % o.changes] = (quota[i % o.changes] as number) + 1;

  const planned: PlannedChange[] = [];
  for (let i = 0; i < o.changes; i++) {
    const created = o.start + i * o.spacing;
    const person = rng.pick(PEOPLE);
    const dirs = rng.sample(o.dirs, rng.int(1, 2));
    const frs = rng.sample(Array.from({ length: o.frs }, (_, k) => k + 1), rng.int(1, 3)).sort((a, b) => a - b);
    const tcs = rng.chance(0.7) ? rng.sample(Array.from({ length: o.tcs }, (_, k) => k + 1), rng.int(1, 3)).sort((a, b) => a - b) : [];
    const risk = rng.pick<RiskTier>(['low', 'medium', 'medium', 'medium', 'high', 'critical']);
    clock.set(created);
    const change = await store.create({ title: changeTitle(rng, dirs[0] as string), paths: dirs.map((d) => `${d}/**`), frs: frs.map(frId), tcs: tcs.map(tcId), risk, maturity: rng.pick(['M0', 'M1', 'M1', 'M2', 'M3']) });
    planned.push({ id: change.id, dirs, frs, created });
    const events = new EventBatches(audit, clock, change.id, ids);
    events.add(created, 'change.created', person, { title: change.title, origin: change.origin, file: store.relFile(change.id), hash: sha256(serializeChange(change)) });
    writeChangeArtifacts(layout, store, change, rng, o, frs, tcs, dirs);
    for (const [k, artifact] of (['spec', 'plan', 'tasks'] as const).entries()) events.add(created + (k + 1) * HOUR, ...derived(layout, store, change, artifact, person));
    tickTasks(layout, change.id, rng);

    const approveAt = created + 24 * HOUR;
    if (rng.chance(0.85)) {
      const stages: Approval['stage'][] = rng.chance(0.35) ? ['frame', 'spec', 'execute'] : ['frame', 'spec'];
      const approver = rng.pick(PEOPLE.filter((p) => p !== person));
      const approvals = stages.map((stage) => approval(store, change.id, stage, approver.id, new Date(approveAt).toISOString()));
      clock.set(approveAt);
      store.update(change.id, (c) => ({ ...c, approvals: [...c.approvals, ...approvals] }));
      for (const a of approvals) events.add(approveAt, 'approval.recorded', { ...approver, role: 'approver' }, { stage: a.stage, decision: a.decision, artifacts: a.artifacts });
      // Drift after approval: the spec edited (its approval and the plan go stale), or the brief.
      if (rng.chance(0.06)) appendTo(join(changeDir(layout, change.id), 'spec.md'), '- Later: also cover the bulk API.\n');
      else if (rng.chance(0.04)) appendTo(join(changeDir(layout, change.id), 'brief.md'), '\nNote: scope widened after review.\n');
    }
    if (rng.chance(0.15)) {
      const severity = rng.pick(['low', 'medium', 'high', 'critical'] as const);
      events.add(approveAt + HOUR, 'concern.raised', AGENT, { concern_id: 'C-1', source: 'review', severity, summary: `Edge case not covered in ${dirs[0]}`, evidence: [`${dirs[0]}/`] });
      if (rng.chance(0.5)) events.add(approveAt + 2 * HOUR, 'concern.resolved', person, { concern_id: 'C-1', note: 'covered by a new test' });
    }
    // Every command run against the change fills the rest of its quota.
    const quotaLeft = (quota[i] as number) - events.count;
    for (let k = 0; k < quotaLeft; k++) {
      const name = rng.pick(COMMANDS);
      events.add(created + 48 * HOUR + k * 60_000, 'command', rng.pick(PEOPLE), { name, args: [name, change.id], cwd: '.', outcome: 'ok', exit_code: 0 });
    }
    await events.flush();
  }
  return planned;
}

function writeChangeArtifacts(layout: Layout, store: ChangeStore, change: Change, rng: Random, o: ChangesOptions, frs: number[], tcs: number[], dirs: string[]): void {
  const dir = changeDir(layout, change.id);
  writeFileSync(join(dir, 'brief.md'), briefText(readFileSync(join(dir, 'brief.md'), 'utf8'), rng));
  // Written without front matter, as a person would; deriving adds it and keeps the text.
  writeFileSync(join(dir, 'spec.md'), specText(change.id, change.title, frs, rng));
  writeFileSync(join(dir, 'plan.md'), planText(change.id, change.title, dirs.flatMap((d) => rng.sample(o.filesOf(d), 2)), tcs));
}

function derived(layout: Layout, store: ChangeStore, change: Change, artifact: DerivableArtifact, actor: Actor): ['artifact.derived', Actor, Record<string, unknown>] {
  const r = deriveArtifact(layout, store, change, artifact);
  return ['artifact.derived', actor, { artifact: `${artifact}.md`, action: r.action, hash: r.hash, derived_from: r.derived_from, ...(r.tasks ? { tasks: r.tasks } : {}) }];
}

/** Marks some tasks done or in progress, as work on the change goes on. */
function tickTasks(layout: Layout, id: string, rng: Random): void {
  const file = join(changeDir(layout, id), 'tasks.md');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace(/^- \[ \]/gm, () => (rng.chance(0.4) ? '- [x]' : rng.chance(0.2) ? '- [~]' : '- [ ]')));
}

function approval(store: ChangeStore, id: string, stage: Approval['stage'], by: string, at: string): Approval {
  const hashes = store.artifacts(id);
  const covers = stage === 'frame' ? ['brief.md'] : stage === 'spec' ? ['spec.md'] : ['plan.md', 'tasks.md'];
  return { stage, decision: 'approved', by, at, artifacts: Object.fromEntries(covers.map((a) => [a, hashes[a] as string])) };
}

function appendTo(file: string, text: string): void {
  writeFileSync(file, readFileSync(file, 'utf8') + text);
}

/** A change's events, appended in a few locked writes, each at its own time. */
class EventBatches {
  private readonly batches = new Map<number, AuditEventInput[]>();
  count = 0;

  constructor(
    private readonly audit: AuditLog,
    private readonly clock: StepClock,
    private readonly chId: string,
    private readonly ids: { next(prefix: string): string },
  ) {}

  add(at: number, type: AuditEventInput['type'], actor: Actor, payload: Record<string, unknown>): void {
    // Commands an hour apart share a batch: one append per session, as a CLI run would.
    const slot = Math.floor(at / (6 * HOUR)) * 6 * HOUR;
    const list = this.batches.get(slot) ?? [];
    list.push({ type, ch_id: this.chId, actor, correlation_id: this.ids.next('cor'), payload } as AuditEventInput);
    this.batches.set(slot, list);
    this.count += 1;
  }

  async flush(): Promise<void> {
    for (const [at, inputs] of [...this.batches].sort(([a], [b]) => a - b)) {
      this.clock.set(at);
      await this.audit.appendMany(inputs);
    }
  }
}
