import type { Command } from 'commander';
import { describeRun } from '../../core/qa/evaluate';
import { validateChange, waiveVerdict, type ValidateResult, type WaiveResult } from '../../core/qa/validate';
import type { CliContext } from '../context';
import type { Runner } from '../program';

function renderValidate(r: ValidateResult): string {
  const res = r.results;
  const lines = [`${res.change}: QA verdict ${res.verdict} (policy ${res.policy.risk_tier}/${res.policy.maturity_level}, sha256 ${res.policy_hash.slice(0, 12)})`];
  for (const c of res.commands) {
    const n = c.counts ? `, ${c.counts.passed}/${c.counts.tests} passed${c.counts.skipped ? `, ${c.counts.skipped} skipped` : ''}` : '';
    lines.push(`  ${describeRun(c)} (${(c.duration_ms / 1000).toFixed(1)} s${n})`);
  }
  lines.push(...res.reasons.map((x) => `  - ${x}`));
  if (r.concernId) lines.push(`  concern ${res.change}/${r.concernId} names what failed`);
  lines.push(`  ${r.resultsFile}`, `  ${r.reportFile}`);
  if (res.verdict === 'PASS') lines.push(`Next: dynaforge approve ${res.change} --stage package`);
  else lines.push(`Fix what is listed and run \`dynaforge validate ${res.change}\` again, or set the verdict aside with \`dynaforge waive ${res.change} --note "why"\``);
  return lines.join('\n');
}

function renderWaive(r: WaiveResult): string {
  const v = r.change.qa_verdict;
  return [`${r.change.id}: ${r.waived} verdict WAIVED by ${v?.by ?? '?'}: ${v?.reasons[0] ?? ''}`, `  recorded as an approval of the validate stage; policy sha256 ${r.policyHash.slice(0, 12)}`, `Next: dynaforge approve ${r.change.id} --stage package`].join('\n');
}

/** `dynaforge validate [id]`: the Tester runs the declared tests and the QA policy gives a verdict. */
export function registerValidate(program: Command, run: Runner): void {
  program
    .command('validate')
    .description('run the test commands of config.yaml tests[], apply the QA policy, and record the verdict (exit 1 unless PASS)')
    .argument('[id]', 'change id (default: the active change)')
    .action(run({ name: 'validate', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given] = args as [string | undefined];
      const ws = await ctx.workspace();
      const chId = ws.resolveChange(given);
      ws.store.read(chId);
      ctx.chId = chId;
      // Test commands run in process groups of their own, which a terminal's Ctrl-C does not reach: pass it on.
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let r: ValidateResult;
      try {
        r = await validateChange(ws, chId, {
          correlationId: ctx.correlationId,
          env: ctx.env,
          signal: abort.signal,
          onStart: (spec) => {
            if (!ctx.json) ctx.io.err(`running ${spec.name}: ${spec.command}`);
          },
        });
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
      const v = r.results;
      ctx.emit(
        { change: chId, verdict: v.verdict, reasons: v.reasons, checks: v.checks, policy_hash: v.policy_hash, commands: v.commands, results: r.resultsFile, report: r.reportFile, ...(r.concernId ? { concern: `${chId}/${r.concernId}` } : {}) },
        () => renderValidate(r),
      );
      return v.verdict === 'PASS' ? 0 : 1;
    }));
}

/** `dynaforge waive [id] --note JUSTIFICATION`: an approval of the validate stage that sets a CONCERNS or FAIL verdict aside. */
export function registerWaive(program: Command, run: Runner): void {
  program
    .command('waive')
    .description('set a CONCERNS or FAIL verdict aside with a justification (recorded as your approval of the validate stage)')
    .argument('[id]', 'change id (default: the active change)')
    .requiredOption('--note <justification>', 'why the verdict may be set aside')
    .action(run({ name: 'waive', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [given, opts] = args as [string | undefined, { note: string }];
      const ws = await ctx.workspace();
      const chId = ws.resolveChange(given);
      ws.store.read(chId);
      ctx.chId = chId;
      const r = await waiveVerdict(ws, chId, opts.note, ctx.correlationId);
      ctx.emit({ change: chId, verdict: 'WAIVED', waived: r.waived, qa_verdict: r.change.qa_verdict, policy_hash: r.policyHash }, () => renderWaive(r));
    }));
}
