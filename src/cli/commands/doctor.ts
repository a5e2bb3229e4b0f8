import type { Command } from 'commander';
import { runDoctor } from '../../core/doctor/doctor';
import type { CliContext } from '../context';
import type { Runner } from '../program';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

export function registerDoctor(program: Command, run: Runner): void {
  program
    .command('doctor')
    .description('check Node, git, the repository layout, config, audit log, templates, agent CLIs and the model')
    .action(run({ name: 'doctor', workspace: false, readOnlyAuditOk: true }, async (ctx: CliContext) => {
      const report = await runDoctor({ cwd: ctx.cwd, env: ctx.env });
      ctx.emit(report, () =>
        [
          ...report.findings.map((f) => `${MARK[f.status]}  ${f.check}: ${f.message}${f.remedy ? `\n      → ${f.remedy}` : ''}`),
          report.ok ? 'No blocking problems.' : 'Blocking problems found (FAIL above).',
        ].join('\n'),
      );
      return report.ok ? 0 : 1;
    }));
}
