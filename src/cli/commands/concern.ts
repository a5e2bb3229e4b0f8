import { Option, type Command } from 'commander';
import { concernsOf, parseConcernRef, raiseConcern, SEVERITIES, updateConcern, type Concern, type ConcernAction, type Severity } from '../../core/concerns/concerns';
import { localChangeIds } from '../../core/store/changeIds';
import type { Workspace } from '../../core/workspace';
import type { CliContext } from '../context';
import { formatError, table } from '../output';
import type { Runner } from '../program';
import { listArg } from './new';

function line(c: Concern): string {
  return `${c.ch_id}/${c.id} [${c.severity}, ${c.status}] ${c.summary}${c.assignee ? ` (→ ${c.assignee})` : ''}`;
}

function ctxOf(ws: Workspace, ctx: CliContext) {
  return { layout: ws.layout, audit: ws.audit, actor: ws.actor('user'), correlationId: ctx.correlationId };
}

export function registerConcern(program: Command, run: Runner): void {
  const concern = program.command('concern').description('raise, acknowledge, resolve, assign and list concerns (stored as audit events)');

  concern
    .command('raise')
    .description('raise a concern on a change')
    .argument('<summary...>', 'what is wrong')
    .option('-c, --change <id>', 'the change (default: the active one)')
    .addOption(new Option('--severity <level>', 'severity').choices(SEVERITIES).default('medium'))
    .option('--source <source>', 'who or what found it', 'manual')
    .option('--evidence <refs...>', 'files or references backing it')
    .action(run({ name: 'concern raise', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [words, opts] = args as [string[], { change?: string; severity: Severity; source: string; evidence?: string[] }];
      const ws = await ctx.workspace();
      const chId = ws.resolveChange(opts.change);
      ws.store.read(chId);
      ctx.chId = chId;
      const c = await raiseConcern(ctxOf(ws, ctx), chId, { severity: opts.severity, source: opts.source, summary: words.join(' '), evidence: listArg(opts.evidence) });
      ctx.emit({ concern: c }, `Raised ${line(c)}`);
    }));

  const transition = (name: 'ack' | 'resolve', verb: string) =>
    concern
      .command(name)
      .description(`${verb} a concern`)
      .argument('<ref>', 'CH-012/C-3 (or C-3 with an active change)')
      .option('--note <text>', 'why')
      .action(run({ name: `concern ${name}`, workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
        const [ref, opts] = args as [string, { note?: string }];
        const ws = await ctx.workspace();
        const { ch, id } = parseConcernRef(ref, ws.activeChange()?.id);
        ws.store.read(ch);
        ctx.chId = ch;
        const action: ConcernAction = { kind: name, ...(opts.note ? { note: opts.note } : {}) };
        const c = await updateConcern(ctxOf(ws, ctx), ch, id, action);
        ctx.emit({ concern: c }, `${name === 'ack' ? 'Acknowledged' : 'Resolved'} ${line(c)}`);
      }));
  transition('ack', 'acknowledge');
  transition('resolve', 'resolve');

  concern
    .command('assign')
    .description('assign a concern to someone')
    .argument('<ref>', 'CH-012/C-3 (or C-3 with an active change)')
    .requiredOption('--to <who>', 'assignee')
    .action(run({ name: 'concern assign', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [ref, opts] = args as [string, { to: string }];
      const ws = await ctx.workspace();
      const { ch, id } = parseConcernRef(ref, ws.activeChange()?.id);
      ws.store.read(ch);
      ctx.chId = ch;
      const c = await updateConcern(ctxOf(ws, ctx), ch, id, { kind: 'assign', assignee: opts.to });
      ctx.emit({ concern: c }, `Assigned ${line(c)}`);
    }));

  concern
    .command('list')
    .description('list concerns of a change, or of every change')
    .argument('[id]', 'change id (default: all changes)')
    .addOption(new Option('--status <status>', 'filter').choices(['open', 'acknowledged', 'resolved', 'unresolved', 'all']).default('unresolved'))
    .action(run({ name: 'concern list', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given, opts] = args as [string | undefined, { status: string }];
      const ws = await ctx.workspace();
      // Every change folder, loadable or not: a broken change.yaml must not hide its concerns (they live in the audit log).
      const problems = given !== undefined ? [] : ws.store.list().problems;
      const ids = given !== undefined ? [ws.resolveChange(given)] : localChangeIds(ws.layout);
      if (given !== undefined) {
        ws.store.read(ids[0] as string);
        ctx.chId = ids[0];
      }
      const keep = (c: Concern) => opts.status === 'all' || (opts.status === 'unresolved' ? c.status !== 'resolved' : c.status === opts.status);
      const concerns = ids.flatMap((id) => concernsOf(ws.audit, id)).filter(keep);
      ctx.emit({ concerns, problems: problems.map((p) => p.toJSON()) }, () => (concerns.length ? table([['CONCERN', 'SEVERITY', 'STATUS', 'ASSIGNEE', 'SUMMARY'], ...concerns.map((c) => [`${c.ch_id}/${c.id}`, c.severity, c.status, c.assignee ?? '', c.summary])]) : 'No concerns.'));
      for (const p of problems) ctx.io.err(formatError(p));
      return problems.length ? 1 : 0;
    }));
}
