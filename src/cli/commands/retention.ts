import type { Command } from 'commander';
import { applyRetention, type RetentionResult } from '../../core/retention/apply';
import { formatAge, formatBytes, formatTtl } from '../../core/retention/format';
import { planRetention, type RetentionItem, type RetentionPlan } from '../../core/retention/plan';
import { setRetained } from '../../core/retention/retain';
import { parseRunRef } from '../../core/retention/runFolders';
import type { CliContext } from '../context';
import { formatError, table } from '../output';
import type { Runner } from '../program';

function planTable(plan: RetentionPlan): string {
  if (!plan.items.length) return 'No Implementer runs under artifacts/work/.';
  const rows = plan.items.map((i) => [i.kind === 'leftover' ? `${i.run} (unfinished deletion)` : i.run, i.status, formatAge(i.age_ms), formatBytes(i.bytes), i.decision, i.reason]);
  return [table([['RUN', 'STATUS', 'AGE', 'SIZE', 'DECISION', 'REASON'], ...rows]), '', totalsLine(plan)].join('\n');
}

function totalsLine(plan: RetentionPlan): string {
  const t = plan.totals;
  const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;
  return `${runs(t.runs)}, ${formatBytes(t.bytes)}: keep ${t.keep.runs} (${formatBytes(t.keep.bytes)}), delete ${t.delete.runs} (${formatBytes(t.delete.bytes)}); size cap ${formatTtl(plan.policy.size_cap_mb, 'MB')}${t.over_cap ? ' (still exceeded)' : ''}`;
}

function itemJson(i: RetentionItem): Record<string, unknown> {
  return { run: i.run, path: i.path, ch_id: i.ch_id, status: i.status, bytes: i.bytes, reason: i.rule, detail: i.reason, ...(i.run_id ? { run_id: i.run_id } : {}), ...(i.concern ? { concern: i.concern } : {}) };
}

function warn(ctx: CliContext, warnings: readonly string[]): void {
  if (ctx.json) return; // in the JSON document
  for (const w of warnings) ctx.io.err(`dynaforge: warning: ${w}`);
}

function applyText(r: RetentionResult): string {
  const lines = r.dry_run
    ? r.plan.items.filter((i) => i.decision === 'delete').map((i) => `Would delete ${i.path} (${formatBytes(i.bytes)}): ${i.reason}`)
    : r.deleted.map((d) => `Deleted ${d.item.path} (${formatBytes(d.item.bytes)}): ${d.item.reason}`);
  const freed = r.deleted.reduce((n, d) => n + d.item.bytes, 0);
  const t = r.plan.totals;
  const summary = r.dry_run
    ? `Dry run, nothing deleted: ${t.delete.runs} of ${t.runs} runs would go (${formatBytes(t.delete.bytes)}).`
    : `Deleted ${r.deleted.length} of ${t.runs} runs, ${formatBytes(freed)} freed; kept ${t.keep.runs} (${formatBytes(t.keep.bytes)}).`;
  return [...lines, summary].join('\n');
}

async function apply(ctx: CliContext, opts: { dryRun?: boolean }): Promise<number> {
  const ws = await ctx.workspace();
  const r = await applyRetention(ws, { actor: ws.actor('user'), correlationId: ctx.correlationId, dryRun: Boolean(opts.dryRun) });
  const errors = [...r.failed.map((f) => f.error), ...r.deleted.flatMap((d) => (d.error ? [d.error] : []))];
  ctx.emit(
    {
      dry_run: r.dry_run,
      deleted: r.deleted.map((d) => ({ ...itemJson(d.item), seq: d.seq, ...(d.leftover ? { leftover: d.leftover } : {}) })),
      ...(r.dry_run ? { would_delete: r.plan.items.filter((i) => i.decision === 'delete').map(itemJson) } : {}),
      failed: r.failed.map((f) => ({ ...itemJson(f.item), error: f.error.toJSON() })),
      errors: errors.map((e) => e.toJSON()),
      plan: r.plan,
    },
    () => applyText(r),
  );
  warn(ctx, r.plan.warnings);
  if (!ctx.json) for (const e of errors) ctx.io.err(formatError(e));
  return errors.length ? 1 : 0;
}

export function registerRetention(program: Command, run: Runner): void {
  const retention = program
    .command('retention')
    .description('purge ephemeral Implementer runs (artifacts/work/CH-###/run-N/): successful ones after a TTL or beyond a size cap, failed ones after theirs; a .retain marker keeps a run');

  retention
    .command('plan')
    .description('show every run with its status, age, size and whether apply would keep or delete it, and why (deletes nothing)')
    .action(run({ name: 'retention plan', workspace: true }, async (ctx: CliContext) => {
      const ws = await ctx.workspace();
      const plan = planRetention(ws);
      ctx.emit(plan, () => planTable(plan));
      warn(ctx, plan.warnings);
    }));

  const applyCommand = (cmd: Command, name: string) =>
    cmd
      .option('--dry-run', 'plan and print what would be deleted; delete nothing')
      .action(run({ name, workspace: true }, async (ctx: CliContext, ...args: unknown[]) => apply(ctx, args[0] as { dryRun?: boolean })));
  applyCommand(retention.command('apply').description('delete the runs `retention plan` marks for deletion; one retention.deleted audit event each'), 'retention apply');
  applyCommand(program.command('cleanup').description('the same as `dynaforge retention apply`: delete expired Implementer runs'), 'cleanup');

  retention
    .command('retain')
    .description('keep a run whatever its age (writes its .retain marker); --release lets the rules apply again')
    .argument('<run>', 'the run, e.g. CH-012/run-3')
    .option('--release', 'remove the .retain marker instead')
    .action(run({ name: 'retention retain', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given, opts] = args as [string, { release?: boolean }];
      const ws = await ctx.workspace();
      ctx.chId = parseRunRef(given).ch_id;
      const r = await setRetained(ws, given, { release: Boolean(opts.release), actor: ws.actor('user'), correlationId: ctx.correlationId });
      const text = r.retained
        ? r.changed
          ? `Retained ${r.ref}: wrote ${r.marker}; retention keeps it until \`dynaforge retention retain ${r.ref} --release\``
          : `${r.ref} was already retained (${r.marker})`
        : r.changed
          ? `Released ${r.ref}: removed ${r.marker}; the retention rules apply to it again`
          : `${r.ref} was not retained; nothing to release`;
      ctx.emit({ run: r.ref, path: r.path, marker: r.marker, retained: r.retained, changed: r.changed, ...(r.run_id ? { run_id: r.run_id } : {}) }, text);
    }));
}
