import { Option, type Command } from 'commander';
import { DfError } from '../../core/errors';
import { checkViews, planViews, regenerateViews, VIEWS, viewsRefused, type ViewName } from '../../core/views/views';
import type { CliContext } from '../context';
import { formatError } from '../output';
import type { Runner } from '../program';

interface ViewsOptions {
  check?: boolean;
  only?: ViewName[];
}

const SAID: Record<string, string> = { written: 'written', unchanged: 'unchanged', 'up-to-date': 'up to date', 'out-of-date': 'out of date', missing: 'missing' };

export function registerViews(program: Command, run: Runner): void {
  program
    .command('views')
    .description('regenerate the generated views PROGRESS.md, CHANGELOG.md (its generated region only) and TRACEABILITY.md; each is rewritten only when its content changes')
    .option('--check', 'write nothing; exit 1 when a view is out of date (for CI)')
    .addOption(new Option('--only <view...>', 'only these views').choices(VIEWS))
    .action(run({ name: 'views', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [opts] = args as [ViewsOptions];
      const ws = await ctx.workspace();
      const only = opts.only?.length ? VIEWS.filter((v) => opts.only?.includes(v)) : [...VIEWS];
      const rerun = `dynaforge views${opts.only?.length ? ` --only ${only.join(' ')}` : ''}`;

      if (opts.check) {
        const plan = await planViews(ws, only);
        for (const p of plan.problems) ctx.io.err(formatError(p));
        if (plan.problems.length) throw viewsRefused(plan.problems, true);
        const views = checkViews(plan);
        const stale = views.filter((v) => v.status !== 'up-to-date').map((v) => v.file);
        ctx.emit({ check: true, views, out_of_date: stale, ...(stale.length ? { fix: rerun } : {}) }, () => views.map((v) => `${v.file} ${SAID[v.status]}`).join('\n'));
        if (!stale.length) return 0;
        if (!ctx.json) {
          const n = stale.length;
          ctx.io.err(formatError(new DfError('conflict', `${n} view${n > 1 ? 's are' : ' is'} out of date: ${stale.join(', ')}`, `run \`${rerun}\` and commit the result`)));
        }
        return 1;
      }

      const { views, problems } = await regenerateViews(ws, only, ws.actor('user'), ctx.correlationId);
      for (const p of problems) ctx.io.err(formatError(p));
      if (problems.length) throw viewsRefused(problems, false);
      ctx.emit({ views }, () => views.map((v) => `${v.file} ${SAID[v.status]}`).join('\n'));
      return 0;
    }));
}
