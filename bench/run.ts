// Prints speed figures for the foundation; targets live here, not in timed unit tests.
// Run with `make bench`. Corpus goes to .bench/ (gitignored) and is rebuilt each run.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AuditLog } from '../src/core/audit/auditLog';
import { changeStream } from '../src/core/audit/streams';
import { initProject } from '../src/core/init/init';
import { fixedClock } from '../src/core/ports/clock';
import { noGit } from '../src/core/repo/git';
import { layoutAt } from '../src/core/repo/layout';
import type { AuditEventInput } from '../src/core/schema/audit';
import { ConfigSchema } from '../src/core/schema/config';
import { ChangeStore } from '../src/core/store/changeStore';

const root = join(__dirname, '..', '.bench', 'foundation');
const clock = fixedClock('2026-11-21T09:00:00Z');
const actor = { kind: 'human' as const, id: 'Bench <bench@example.com>', role: 'user' };

function figure(name: string, n: number, ms: number, unit: string): void {
  console.log(`${name.padEnd(44)} ${String(n).padStart(7)} ${unit.padEnd(8)} ${ms.toFixed(0).padStart(7)} ms  ${((n / ms) * 1000).toFixed(0).padStart(9)} ${unit}/s`);
}

async function main(): Promise<void> {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const layout = layoutAt(root);
  initProject(layout, clock);
  const audit = new AuditLog({ root, auditDir: layout.auditDir, lockDir: layout.lockDir, clock, projectStream: 'project/bench.bench' });

  const EVENTS = 100_000;
  const BATCH = 1_000;
  const input = (i: number): AuditEventInput => ({ type: 'command', ch_id: 'CH-001', actor, correlation_id: `cor-${i}`, payload: { name: 'status', args: ['status', String(i)], cwd: '.', outcome: 'ok', exit_code: 0 } });
  let t = performance.now();
  for (let i = 0; i < EVENTS; i += BATCH) await audit.appendMany(Array.from({ length: BATCH }, (_, j) => input(i + j)));
  figure('audit append (batches of 1,000, locked, fsync)', EVENTS, performance.now() - t, 'events');

  const SINGLE = 300;
  t = performance.now();
  for (let i = 0; i < SINGLE; i++) await audit.append({ ...input(i), ch_id: 'CH-002' });
  figure('audit append (one per call, locked, fsync)', SINGLE, performance.now() - t, 'events');

  t = performance.now();
  const report = await audit.verify([changeStream('CH-001')]);
  if (!report.ok || report.events !== EVENTS) throw new Error(`verify failed: ${JSON.stringify(report.streams[0]?.problem)}`);
  figure('audit verify (one stream, 100,000 events)', EVENTS, performance.now() - t, 'events');

  const store = new ChangeStore(layout, clock, noGit, ConfigSchema.parse({}));
  const CHANGES = 1_000;
  t = performance.now();
  for (let i = 0; i < CHANGES; i++) await store.create({ title: `Change ${i}`, frs: [`FR-${i % 200}`], risk: 'medium' });
  figure('new change (lock + allocate + 2 atomic writes)', CHANGES, performance.now() - t, 'changes');

  t = performance.now();
  const { changes } = store.list();
  if (changes.length !== CHANGES) throw new Error('list lost changes');
  figure('list (read + validate every change.yaml)', CHANGES, performance.now() - t, 'changes');

  const mem = process.memoryUsage();
  console.log(`peak-ish memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
}

void main();
