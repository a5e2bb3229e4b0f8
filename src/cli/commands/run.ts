import type { Command } from 'commander';
import { allTasksDone, driveChange, type LoopEvent, type LoopSteps } from '../../core/agents/orchestrator';
import type { ImplementerEvent } from '../../core/implementer/events';
import { startRun } from '../../core/implementer/implement';
import { openTaskIds } from '../../core/implementer/tasksMd';
import { commandVerifier } from '../../core/implementer/verifier';
import { createModel } from '../../core/model/createModel';
import { validateChange } from '../../core/qa/validate';
import type { CliContext } from '../context';
import type { Runner } from '../program';
import { implementerNarrator, runReportText, whole } from './implement';

interface RunOptions {
  request?: string;
  seed?: number;
  maxSteps?: number;
}

/** One line per loop event: the narrative a person watches. */
export function describeLoopEvent(e: LoopEvent): string {
  switch (e.kind) {
    case 'handoff':
      return `→ ${e.from} hands ${e.ch_id} to the ${e.to} (${e.stage})`;
    case 'artifact':
      return `  ${e.by} ${e.action} ${e.file}`;
    case 'step':
      return `  ${e.role}: ${e.message}`;
    case 'waiting':
      return `⏸ ${e.ch_id} waits at ${e.stage}: ${e.why}\n  ${e.who}: ${e.command}`;
    case 'blocked':
      return `✗ ${e.ch_id} is blocked at ${e.stage}: ${e.message}\n  fix: ${e.fix}`;
    case 'done':
      return `✓ ${e.ch_id} is ${e.lifecycle}`;
  }
}

export function registerRun(program: Command, run: Runner): void {
  program
    .command('run')
    .description('the agent loop on a change: the PM frames, the Designer specifies and plans, the Implementer executes, the Tester validates — stopping wherever a person must approve')
    .argument('[id]', 'the change to drive (default: the active change; none with --request)')
    .option('--request <text>', 'frame a new change from this request (the PM writes its title and brief)')
    .option('--seed <n>', 'seed passed to the model and recorded with every handoff', whole, 0)
    .option('--max-steps <k>', "the Implementer's step budget", whole)
    .action(run({ name: 'run', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const given = args[0] as string | undefined;
      const opts = args[1] as RunOptions;
      const ws = await ctx.workspace();
      const ch = opts.request !== undefined && given === undefined ? undefined : ws.resolveChange(given);
      if (ch) ctx.chId = ch;
      const model = createModel(ws.config, ctx.env, { root: ws.layout.root, clock: ws.clock });
      const events: LoopEvent[] = [];
      const emit = (e: LoopEvent) => {
        events.push(e);
        if (!ctx.json) ctx.io.out(describeLoopEvent(e));
      };
      const steps: LoopSteps = {
        async implement(w, id, c) {
          if (model.provider === 'none') {
            return { done: allTasksDone(w, id), message: `${openTaskIds(w.layout, id).length} task(s) are for a person to do (no model is configured): dynaforge task next ${id}` };
          }
          // People read the Implementer's narrative as `implement` tells it; --json gets each task's state as a loop event.
          const onEvent = implementerNarrator(ctx) ?? ((e: ImplementerEvent) => (e.kind === 'task' ? c.emit({ kind: 'step', ch_id: id, role: 'implementer', message: `${e.task} ${e.state}${e.files?.length ? `: ${e.files.join(', ')}` : ''}` }) : undefined));
          const report = await startRun(
            { ws: w, model, verifier: commandVerifier(w.layout.root, ctx.env), correlationId: ctx.correlationId, onEvent, ...(c.signal ? { signal: c.signal } : {}) },
            { chId: id, seed: c.seed, ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}) },
          );
          if (!ctx.json) ctx.io.out(runReportText(report));
          return { done: report.run.status === 'succeeded' && allTasksDone(w, id), message: report.why ?? `run ${report.folder} ${report.run.status}; ${openTaskIds(w.layout, id).length} task(s) still open` };
        },
        async validate(w, id, c) {
          const v = await validateChange(w, id, { correlationId: ctx.correlationId, env: ctx.env, ...(c.signal ? { signal: c.signal } : {}), onResult: (r) => c.emit({ kind: 'step', ch_id: id, role: 'tester', message: `${r.name}: exit ${r.exit ?? 'killed'}${r.counts ? ` (${r.counts.passed}/${r.counts.tests} passed)` : ''}` }) });
          return { verdict: v.change.qa_verdict?.verdict ?? 'FAIL', reasons: v.change.qa_verdict?.reasons ?? [] };
        },
      };
      const outcome = await driveChange(ws, { ...(ch ? { ch } : {}), ...(opts.request !== undefined ? { request: opts.request } : {}), model, seed: opts.seed ?? 0, steps, emit });
      ctx.chId = outcome.ch_id;
      if (ctx.json) ctx.emit({ ...outcome, events }, () => '');
      return outcome.state === 'blocked' ? 1 : 0;
    }));
}
