import { resolve } from 'node:path';
import type { Command } from 'commander';
import { prettyJson } from '../../core/canonical';
import { runCheck, type CheckReport } from '../../core/check/check';
import { toSarif } from '../../core/check/sarif';
import { FINDING_SEVERITIES, type FindingSeverity } from '../../core/drift/model';
import { DfError } from '../../core/errors';
import { writeFileAtomicSync } from '../../core/fs/atomic';
import type { CliContext } from '../context';
import { table } from '../output';
import { VERSION, type Runner } from '../program';

interface CheckCliOptions {
  failOn?: string;
  sarif?: string | boolean;
  changedSince?: string;
}

export function registerCheck(program: Command, run: Runner): void {
  program
    .command('check')
    .description('the CI gate: validation, audit integrity, drift, trace gaps, id collisions and gate violations; exit 0 clean, 1 findings, 2 usage error')
    .option('--fail-on <severity>', `fail on findings at least this severe: ${FINDING_SEVERITIES.join(', ')} (default: check.fail_on in config.yaml, warning)`)
    .option('--sarif [file]', 'write SARIF 2.1.0 for code-scanning views to <file> (or stdout when no file is given)')
    .option('--changed-since <rev>', 'only findings a pull request based on <rev> touches (its files, the changes they belong to, its commits)')
    .action(run({ name: 'check', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const opts = args[0] as CheckCliOptions;
      const failOn = opts.failOn === undefined ? undefined : parseSeverity(opts.failOn);
      const ws = await ctx.workspace();
      const report = await runCheck(ws, { ...(failOn ? { failOn } : {}), ...(opts.changedSince !== undefined ? { changedSince: opts.changedSince } : {}) });
      if (opts.sarif !== undefined && opts.sarif !== false) {
        const sarif = prettyJson(toSarif(report, VERSION));
        if (typeof opts.sarif === 'string') {
          writeFileAtomicSync(resolve(ctx.cwd, opts.sarif), sarif, opts.sarif);
        } else {
          if (ctx.json) throw new DfError('usage', '--sarif without a file writes SARIF to stdout, and so does --json', 'give --sarif a file (--sarif check.sarif), or drop --json', { field: '--sarif' });
          ctx.io.out(sarif);
          return report.passed ? 0 : 1;
        }
      }
      ctx.emit({ passed: report.passed, fail_on: report.failOn, counts: report.counts, findings: report.findings, accepted: report.accepted.map((a) => ({ key: a.finding.key, kind: a.finding.kind, message: a.finding.message, note: a.note, by: a.by, at: a.at })), ...(report.changedSince ? { changed_since: report.changedSince } : {}), git: report.git, audit_events: report.events, ...(typeof opts.sarif === 'string' ? { sarif: opts.sarif } : {}) }, () => render(report, typeof opts.sarif === 'string' ? opts.sarif : undefined));
      return report.passed ? 0 : 1;
    }));
}

function parseSeverity(text: string): FindingSeverity {
  const s = FINDING_SEVERITIES.find((x) => x === text.trim().toLowerCase());
  if (!s) throw new DfError('usage', `unknown severity "${text}"`, `use one of: ${FINDING_SEVERITIES.join(', ')}`, { field: '--fail-on' });
  return s;
}

function render(r: CheckReport, sarifFile: string | undefined): string {
  const lines: string[] = [];
  if (r.changedSince) lines.push(`Changed since ${r.changedSince.rev} (${r.changedSince.base.slice(0, 12)}): ${r.changedSince.files} file(s), changes ${r.changedSince.changes.join(', ') || '—'}.`);
  if (r.findings.length) {
    lines.push(table(r.findings.map((f) => [f.severity, f.kind, f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : (f.ch_id ?? ''), f.message])));
    const fixes = r.findings.filter((f) => f.severity !== 'note').slice(0, 10);
    if (fixes.length) lines.push('', 'To fix:', ...fixes.map((f) => `  ${f.key}: ${f.fix}`), ...(r.findings.length > fixes.length ? ['  … (`dynaforge reconcile` lists every item with its actions)'] : []));
  }
  const n = (k: FindingSeverity) => `${r.counts[k]} ${k}${r.counts[k] === 1 ? '' : 's'}`;
  lines.push(`check ${r.passed ? 'passed' : 'FAILED'}: ${n('error')}, ${n('warning')}, ${n('note')}${r.accepted.length ? ` (${r.accepted.length} accepted as intentional)` : ''}; failing at ${r.failOn} or above; ${r.events} audit events verified${r.git ? '' : '; not a git repository, so scope drift and orphan commits were not looked for'}.`);
  if (sarifFile) lines.push(`SARIF written to ${sarifFile}`);
  return lines.join('\n');
}
