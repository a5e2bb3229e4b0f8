import type { Command } from 'commander';
import { concernsOf } from '../../core/concerns/concerns';
import { statusOf } from '../../core/status/changeStatus';
import type { CliContext } from '../context';
import type { Runner } from '../program';
import { describeStatus } from './status';

export function registerShow(program: Command, run: Runner): void {
  program
    .command('show')
    .description('show one change: record, artifacts with their hashes, approvals, concerns')
    .argument('[id]', 'change id (default: the active change)')
    .action(run({ name: 'show', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const ws = await ctx.workspace();
      const id = ws.resolveChange(args[0] as string | undefined);
      const change = ws.store.read(id);
      ctx.chId = id;
      const artifacts = ws.store.artifacts(id);
      const status = statusOf(ws, change);
      const concerns = concernsOf(ws.audit, id);
      ctx.emit({ change, artifacts, status: { lifecycle: status.lifecycle, stage: status.stage, blockers: status.blockers }, concerns }, () => {
        const s = change.scope;
        const lines = [
          `${change.id}: ${change.title}`,
          `  origin ${change.origin} · risk ${change.risk_tier} · maturity ${change.maturity_level} · created ${change.created} · updated ${change.updated}`,
          `  scope: ${[...s.paths, ...s.frs, ...s.ws, ...s.tcs].join(', ') || '(none)'}`,
        ];
        const links = Object.entries(change.links).filter(([, v]) => v.length).map(([k, v]) => `${k} ${v.join(', ')}`);
        if (links.length) lines.push(`  links: ${links.join('; ')}`);
        lines.push('  artifacts:', ...Object.entries(artifacts).map(([name, hash]) => `    ${name}  sha256:${hash.slice(0, 12)}`));
        lines.push(...describeStatus(status));
        const closed = concerns.filter((c) => c.status === 'resolved');
        if (closed.length) lines.push(`  resolved concerns: ${closed.map((c) => c.id).join(', ')}`);
        return lines.join('\n');
      });
    }));
}
