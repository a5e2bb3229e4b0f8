import type { Command } from 'commander';
import type { CliContext } from '../context';
import type { Runner } from '../program';

export function registerAudit(program: Command, run: Runner): void {
  const audit = program.command('audit').description('verify and repair the hash-chained audit log');

  audit
    .command('verify')
    .description('check every stream: hash chain, schema, canonical form, heads; names the first bad line')
    .option('--stream <stream...>', 'only these streams, e.g. changes/CH-012')
    .action(run({ name: 'audit verify', workspace: true, readOnlyAuditOk: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const opts = args[0] as { stream?: string[] };
      const ws = await ctx.workspace();
      const report = await ws.audit.verify(opts.stream);
      ctx.emit(report, () =>
        [
          ...report.streams.map((s) => (s.problem ? `BAD  ${s.file}:${s.problem.line}: ${s.problem.message} [${s.problem.kind}]` : `ok   ${s.file} (${s.events} events)`)),
          report.ok ? `Audit log verifies: ${report.events} events in ${report.streams.length} streams.` : 'Audit log does NOT verify. Crash damage (torn line, head behind) is fixed by `dynaforge audit repair`; anything else: restore the file from git and find out who changed it.',
        ].join('\n'),
      );
      return report.ok ? 0 : 1;
    }));

  audit
    .command('repair')
    .description('fix crash damage only: move a torn last line to audit/quarantine/ and bring a lagging head forward (recorded as events)')
    .action(run({ name: 'audit repair', workspace: true }, async (ctx: CliContext) => {
      const ws = await ctx.workspace();
      const actions = await ws.audit.repair(ws.actor('user'), ctx.correlationId);
      ctx.emit({ actions }, () => (actions.length ? actions.map((a) => (a.action === 'moved-torn-tail' ? `${a.file}: torn line moved to ${a.moved_to}` : `${a.file}: head brought forward`)).join('\n') : 'Nothing to repair.'));
    }));
}
