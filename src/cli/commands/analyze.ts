import type { Command } from 'commander';
import { runAnalyze, type AnalyzeReport } from '../../core/analyze/analyze';
import { runChecklist, type ChecklistReport } from '../../core/analyze/checklist';
import { runClarify, type ClarifyReport } from '../../core/analyze/clarify';
import { describeCounts, where, type AnalysisReport } from '../../core/analyze/findings';
import { parseQuestionId } from '../../core/analyze/questions';
import { DfError } from '../../core/errors';
import { parseChangeId } from '../../core/store/changeIds';
import type { CliContext } from '../context';
import type { Runner } from '../program';

/**
 * `analyze`, `checklist` and `clarify`: three views of a change's requirements hygiene with
 * one output shape. Each writes artifacts/analyze/CH-###/<command>.{json,md}, prints the
 * findings (`--json`: the object written), and exits 0 on pass, 1 on findings.
 */

const GATE = 'exit 0 when no finding is a warning or an error, else 1';

function exitCode(report: AnalysisReport): number {
  return report.status === 'pass' ? 0 : 1;
}

/** The findings as a person reads them: severity, place, message, and the fix under it. */
function describeFindings(report: AnalysisReport): string[] {
  const lines = [`${report.command} ${report.ch_id}: ${report.status} (${describeCounts(report.counts)})`];
  for (const f of report.findings) {
    const at = where(f);
    lines.push(`  ${f.severity.padEnd(7)} ${at ? `${at}: ` : ''}${f.message} [${f.kind}]`, `          fix: ${f.fix}`);
  }
  return lines;
}

function wrote(files: { json: string; markdown: string }): string {
  return `Report: ${files.json}, ${files.markdown}`;
}

export function registerAnalyze(program: Command, run: Runner): void {
  program
    .command('analyze')
    .description(`cross-artifact consistency of a change: unmapped requirements, untested acceptance criteria, stale evidence, open concerns, constitution rules (${GATE})`)
    .argument('[id]', 'change id (default: the active change)')
    .action(run({ name: 'analyze', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const ws = await ctx.workspace();
      const id = ws.resolveChange(args[0] as string | undefined);
      ctx.chId = id;
      const { report, files } = await runAnalyze(ws, id, ws.actor('user'), ctx.correlationId);
      ctx.emit(report, () => [...describeFindings(report), constitutionLine(report), wrote(files)].join('\n'));
      return exitCode(report);
    }));
}

function constitutionLine(report: AnalyzeReport): string {
  const c = report.constitution;
  if (!c.present) return `Constitution: no ${c.file}`;
  const n = (r: string) => c.rules.filter((x) => x.result === r).length;
  const checked = c.rules.length - n('manual');
  return `Constitution: ${checked} rule${checked === 1 ? '' : 's'} checked (${n('pass')} pass, ${n('fail')} fail, ${n('not-applicable')} not applicable, ${n('invalid')} invalid); ${n('manual')} not mechanically checkable (listed in the report)`;
}

export function registerChecklist(program: Command, run: Runner): void {
  program
    .command('checklist')
    .description(`write changes/CH-###/checklist.md: requirements-hygiene items, auto ones evaluated by the tool, manual ones ticked by you and kept across runs (${GATE})`)
    .argument('[id]', 'change id (default: the active change)')
    .action(run({ name: 'checklist', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const ws = await ctx.workspace();
      const id = ws.resolveChange(args[0] as string | undefined);
      ctx.chId = id;
      const { report, files, written } = await runChecklist(ws, id, ws.actor('user'), ctx.correlationId);
      ctx.emit(report, () => [checklistLine(report, written), ...describeFindings(report), wrote(files)].join('\n'));
      return exitCode(report);
    }));
}

function checklistLine(report: ChecklistReport, written: boolean): string {
  const c = report.checklist;
  return `${c.file} ${written ? 'written' : 'unchanged'}: ${c.done} of ${c.total} done`;
}

export function registerClarify(program: Command, run: Runner): void {
  program
    .command('clarify')
    .description(`list the spec's ambiguity markers and open questions (Q-1, Q-2, …); with --answer, record an answer in its Clarifications section (${GATE})`)
    .argument('[args...]', '[CH-###] (default: the active change); with --answer, then the answer text')
    .option('--answer <question>', 'answer question Q-n: clarify CH-012 --answer Q-2 "Within 200 ms at p95"')
    .action(run({ name: 'clarify', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const [words, opts] = args as [string[], { answer?: string }];
      // Known before the arguments are checked, so even a refused answer is recorded with its change.
      if (words[0] !== undefined && /^ch-?\d+$/i.test(words[0])) ctx.chId = parseChangeId(words[0]);
      const { given, answer } = clarifyArgs(words, opts.answer);
      const ws = await ctx.workspace();
      const id = ws.resolveChange(given);
      ctx.chId = id;
      const { report, files } = await runClarify(ws, id, ws.actor('user'), ctx.correlationId, answer);
      ctx.emit(report, () => [...answeredLines(report), questionsLine(report), ...describeFindings(report), wrote(files)].join('\n'));
      return exitCode(report);
    }));
}

/** A word that names a change: `CH-012`, `ch12`, `12`. */
const CHANGE_WORD = /^(?:ch-?)?\d{1,9}$/i;

/** `clarify [CH]` or `clarify [CH] --answer Q-n TEXT`: which words are the change and which the answer. */
function clarifyArgs(words: readonly string[], answerOpt: string | undefined): { given?: string; answer?: { question: string; text: string } } {
  if (answerOpt === undefined) {
    if (words.length > 1) throw new DfError('usage', `clarify takes one change id, but got ${words.length} words`, 'list: dynaforge clarify CH-012; answer: dynaforge clarify CH-012 --answer Q-2 "text"', { field: 'arguments' });
    return words[0] !== undefined ? { given: words[0] } : {};
  }
  const question = parseQuestionId(answerOpt);
  const missing = () => new DfError('usage', `the answer to ${question} is missing`, `give it after the question id, quoted: dynaforge clarify ${words[0] ?? 'CH-012'} --answer ${question} "Within 200 ms at p95"`, { field: '--answer' });
  if (words.length === 0 || (words.length === 1 && /^ch-?\d+$/i.test(words[0] as string))) throw missing();
  if (words.length === 1) return { answer: { question, text: words[0] as string } };
  // The change id may come before the answer or, options being free to move, after it.
  const [a, b] = words as [string, string];
  if (words.length === 2 && CHANGE_WORD.test(a)) return { given: a, answer: { question, text: b } };
  if (words.length === 2 && /^ch-?\d+$/i.test(b)) return { given: b, answer: { question, text: a } };
  throw new DfError('usage', `the answer must be one argument, but it came as ${words.length} separate words`, `quote it: dynaforge clarify CH-012 --answer ${question} "${words.join(' ')}"`, { field: '--answer' });
}

function questionsLine(report: ClarifyReport): string {
  const open = report.questions.filter((q) => q.status === 'open').map((q) => q.id);
  const answered = report.questions.length - open.length;
  return `Questions: ${open.length} open${open.length ? ` (${open.join(', ')})` : ''}, ${answered} answered`;
}

function answeredLines(report: ClarifyReport): string[] {
  const a = report.answered;
  if (!a) return [];
  return [
    `Recorded the answer to ${a.question} in ${a.file}:${a.entry_line} (Clarifications); line ${a.line} is tagged (clarified: ${a.question})`,
    a.stale_approvals.length
      ? `  spec.md changed, so these approvals are now stale — intended: review, then re-approve (dynaforge approve ${report.ch_id} --stage ${a.stale_approvals[0]?.stage}): ${a.stale_approvals.map((x) => `${x.stage}${x.sub_scope ? ` [${x.sub_scope}]` : ''} by ${x.by}`).join('; ')}`
      : '  spec.md changed: no approval covered it, so none went stale',
  ];
}
