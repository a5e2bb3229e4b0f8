import type { Command } from 'commander';
import { DfError } from '../../core/errors';
import { finishTask, type DoneResult } from '../../core/tasks/taskDone';
import { parseTaskId } from '../../core/tasks/taskFile';
import { describeUnmet } from '../../core/tasks/taskGraph';
import { listTasks, nextTask, resolveTaskChange, startTask, stopTask, type TaskContext, type TaskView } from '../../core/tasks/taskWork';
import type { Workspace } from '../../core/workspace';
import type { CliContext } from '../context';
import { table } from '../output';
import type { Runner } from '../program';
import { listArg } from './new';

const BOX = { todo: '[ ]', doing: '[~]', done: '[x]', dropped: '[-]' } as const;

function taskCtx(ws: Workspace, ctx: CliContext): TaskContext {
  return { ws, actor: ws.actor('user'), correlationId: ctx.correlationId };
}

function collect(value: string, previous: string[] | boolean | undefined): string[] {
  return [...(Array.isArray(previous) ? previous : []), value];
}

export function registerTask(program: Command, run: Runner): void {
  const task = program.command('task').description('work through a change\'s tasks by hand: list, next, start, done (with evidence and verification), stop');

  task
    .command('list')
    .description('the tasks of a change with their state, dependencies and files')
    .argument('[change]', 'change id (default: the active one)')
    .action(run({ name: 'task list', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given] = args as [string | undefined];
      const ws = await ctx.workspace();
      const chId = ws.resolveChange(given);
      ctx.chId = chId;
      const l = listTasks(ws, chId);
      ctx.emit(l, () => {
        const live = l.tasks.filter((t) => t.state !== 'dropped');
        const lines = [`${chId}: ${live.filter((t) => t.state === 'done').length} of ${live.length} task(s) done (${l.file})`];
        if (l.tasks.length) lines.push(table(l.tasks.map((t) => [`  ${t.id}`, BOX[t.state], t.parallel ? '[P]' : '', t.text, details(t)])));
        for (const p of l.problems) lines.push(`warning: ${l.file}:${p.line}: ${p.message}`);
        return lines.join('\n');
      });
    }));

  task
    .command('next')
    .description('the next task whose dependencies are done')
    .argument('[change]', 'change id (default: the active one)')
    .action(run({ name: 'task next', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given] = args as [string | undefined];
      const ws = await ctx.workspace();
      const chId = ws.resolveChange(given);
      ctx.chId = chId;
      const n = nextTask(ws, chId);
      ctx.emit({ ...n, next: n.next ?? null }, () => {
        const lines: string[] = [];
        if (n.next) lines.push(`Next in ${chId}: ${n.next.id} ${n.next.text}${n.next.files.length ? ` (files: ${n.next.files.join(', ')})` : ''}`, `  start it: dynaforge task start ${n.next.id}${ws.activeChange()?.id === chId ? '' : ` --change ${chId}`}`);
        else if (n.total > 0 && n.done === n.total) lines.push(`All ${n.total} task(s) of ${chId} are done.`);
        else lines.push(`No task of ${chId} is ready to start.`);
        for (const t of n.doing) lines.push(`  in progress: ${t.id} ${t.text}${t.started ? ` (started here ${t.started.started_at})` : ''}`);
        for (const t of n.waiting) lines.push(`  waiting: ${t.id} for ${describeUnmet(t.blocked_by)}`);
        return lines.join('\n');
      });
    }));

  task
    .command('start')
    .description('set a task to doing and record a baseline of the working copy to diff against')
    .argument('<task>', 'task id, e.g. T-003')
    .option('-c, --change <id>', 'the change (default: the active one)')
    .option('--parallel', 'start beside the tasks in progress (all of them, and this one, must be marked [P])')
    .action(run({ name: 'task start', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [input, opts] = args as [string, { change?: string; parallel?: boolean }];
      const ws = await ctx.workspace();
      const taskId = parseTaskId(input);
      const chId = resolveTaskChange(ws, opts.change);
      ctx.chId = chId;
      const r = await startTask(taskCtx(ws, ctx), chId, taskId, { parallel: Boolean(opts.parallel) });
      ctx.emit({ change: r.change, task: r.task, started: r.started, file: r.file, marked: r.marked, alongside: r.alongside }, () =>
        [
          `Started ${r.task.id} of ${chId}: ${r.task.text}`,
          r.marked ? `  ${r.file}: ${r.task.id} is now doing` : `  ${r.file} already marked ${r.task.id} doing; baseline taken now, in this working copy`,
          `  baseline: tree ${r.started.baseline.slice(0, 12)} of the working copy (untracked files included)${r.alongside.length ? `, alongside ${r.alongside.join(', ')}` : ''}`,
          ...(r.task.files.length ? [`  files: ${r.task.files.join(', ')}`] : []),
          `Do the work, then: dynaforge task done ${r.task.id}`,
        ].join('\n'),
      );
    }));

  task
    .command('done')
    .description('record the diff since `task start` as evidence and run the verification; the task is done only if files changed and verification passed')
    .argument('<task>', 'task id, e.g. T-003')
    .option('-c, --change <id>', 'the change (default: the active one, else the one this task was started in)')
    .option('--verify <name>', 'run only this test of config.yaml tests[] (repeatable; default: all)', collect)
    .option('--no-verify', 'run no test: the evidence records that nothing verified the task')
    .action(run({ name: 'task done', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [input, opts] = args as [string, { change?: string; verify?: string[] | boolean }];
      if (opts.verify === false && ctx.argv.some((a) => a === '--verify' || a.startsWith('--verify='))) {
        throw new DfError('usage', '--verify and --no-verify contradict each other', 'give one of them', { field: '--verify' });
      }
      const ws = await ctx.workspace();
      const taskId = parseTaskId(input);
      const chId = resolveTaskChange(ws, opts.change, taskId);
      ctx.chId = chId;
      const r = await finishTask(taskCtx(ws, ctx), chId, taskId, Array.isArray(opts.verify) ? { verify: listArg(opts.verify) } : { noVerify: opts.verify === false });
      return r.outcome === 'done' ? reportDone(ctx, r) : reportBlocked(ctx, r);
    }));

  task
    .command('stop')
    .description('set a task in progress back to todo and forget its baseline (files are left as they are)')
    .argument('<task>', 'task id, e.g. T-003')
    .option('-c, --change <id>', 'the change (default: the active one, else the one this task was started in)')
    .action(run({ name: 'task stop', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [input, opts] = args as [string, { change?: string }];
      const ws = await ctx.workspace();
      const taskId = parseTaskId(input);
      const chId = resolveTaskChange(ws, opts.change, taskId);
      ctx.chId = chId;
      const r = await stopTask(taskCtx(ws, ctx), chId, taskId);
      ctx.emit(r, `Stopped ${taskId} of ${chId}: ${r.reset ? `back to todo in ${r.file}` : `${r.file} left as it is`}; its baseline is forgotten`);
    }));
}

/** The last column of `task list`: files, dependencies and where the task stands. */
function details(t: TaskView): string {
  const parts: string[] = [];
  if (t.files.length) parts.push(`files: ${t.files.join(', ')}`);
  if (t.deps.length) parts.push(`deps: ${t.deps.join(', ')}`);
  if (t.evidence) parts.push(`evidence: ${t.evidence}`);
  if (t.blocked_by.length) parts.push(`waits for ${describeUnmet(t.blocked_by)}`);
  if (t.started) parts.push(`started here ${t.started.started_at}`);
  else if (t.state === 'doing') parts.push('not started in this working copy');
  return parts.join('; ');
}

function reportDone(ctx: CliContext, r: Extract<DoneResult, { outcome: 'done' }>): number {
  const e = r.evidence;
  const v = e.verification;
  ctx.emit({ outcome: r.outcome, change: r.change, task: r.task, file: r.file, evidence: e, evidence_ref: r.evidence_ref, resolved_concerns: r.resolved_concerns, warnings: r.warnings }, () => {
    const add = e.files.reduce((n, f) => n + (f.additions ?? 0), 0);
    const del = e.files.reduce((n, f) => n + (f.deletions ?? 0), 0);
    const verified = v.status === 'passed' ? `passed: ${v.commands.map((c) => `${c.name} (exit 0, ${(c.duration_ms / 1000).toFixed(1)}s)`).join(', ')}` : v.status === 'skipped' ? 'skipped (--no-verify)' : 'none (no tests[] declared)';
    return [
      `${r.task} of ${r.change} done, with evidence ${r.evidence_ref}`,
      `  ${e.files.length} file(s) changed (+${add} -${del}), diff sha256 ${e.diff_sha256.slice(0, 16)}… (${e.diff_bytes} bytes)`,
      ...e.files.slice(0, 20).map((f) => `    ${f.status.padEnd(8)} ${f.old_path ? `${f.old_path} -> ` : ''}${f.path}`),
      ...(e.files.length > 20 ? [`    … ${e.files.length - 20} more in changes/${r.change}/evidence.json`] : []),
      `  verification ${verified}`,
      ...(r.resolved_concerns.length ? [`  resolved ${r.resolved_concerns.map((c) => `${r.change}/${c}`).join(', ')} (raised when it was not done)`] : []),
      ...r.warnings.map((w) => `warning: ${w}`),
      `Next: dynaforge task next ${r.change}`,
    ].join('\n');
  });
  return 0;
}

function reportBlocked(ctx: CliContext, r: Extract<DoneResult, { outcome: 'blocked' }>): number {
  const data = { outcome: r.outcome, change: r.change, task: r.task, reason: r.reason, concern: r.concern, files: r.files, failed: r.failed };
  if (ctx.json) {
    ctx.emit(data, '');
    return 1;
  }
  const fix =
    r.reason === 'no-changes'
      ? `make the changes the task asks for, then run \`dynaforge task done ${r.task}\` again (or \`task stop ${r.task}\`)`
      : r.reason === 'unverified'
        ? `declare a test command under tests[] in .dynaforge/config.yaml, or run \`dynaforge task done ${r.task} --no-verify\``
        : `fix what failed, then run \`dynaforge task done ${r.task}\` again`;
  ctx.io.err(`dynaforge: ${r.concern.summary}\n  ${r.task} stays doing; concern ${r.change}/${r.concern.id} raised\n  fix: ${fix}`);
  return 1;
}
