import type { Command } from 'commander';
import { DfError, type DfError as DfErrorType } from '../../core/errors';
import { CHANGE_ID_RE } from '../../core/schema/ids';
import { loadTrace } from '../../core/trace/loadTrace';
import type { TraceModel } from '../../core/trace/model';
import { parseTraceId, traceItem, type TraceView } from '../../core/trace/query';
import { TRACEABILITY_REL, writeTraceability } from '../../core/trace/render';
import type { Location } from '../../core/trace/sources';
import type { CliContext } from '../context';
import { formatError, table } from '../output';
import type { Runner } from '../program';

export function registerTrace(program: Command, run: Runner): void {
  program
    .command('trace')
    .description('show the links of a change, requirement, workstream or test case; with no id, the trace gaps')
    .argument('[id]', 'CH-###, FR-…, WS-… or TC-…')
    .option('--write', `regenerate ${TRACEABILITY_REL} at the repository root (rewritten only when its content changes)`)
    .action(run({ name: 'trace', workspace: true }, async (ctx: CliContext, ...args: unknown[]) => {
      const given = args[0] as string | undefined;
      const opts = args[1] as { write?: boolean };
      const ws = await ctx.workspace();
      const id = given === undefined ? undefined : parseTraceId(given);
      if (id && CHANGE_ID_RE.test(id)) ctx.chId = id;
      const { model, problems } = await loadTrace(ws);
      for (const p of problems) ctx.io.err(formatError(p));
      if (opts.write && problems.length) throw notWritten(problems);
      const written = opts.write ? writeTraceability(ws.layout.root, model) : undefined;
      const traceability = written ? { traceability: { file: written.file, written: written.written } } : {};
      const wroteLine = written ? `${written.file} ${written.written ? 'written' : 'unchanged'}` : undefined;
      if (id !== undefined) {
        const view = traceItem(model, id);
        ctx.emit({ ...view, ...traceability, problems: problems.map((p) => p.toJSON()) }, () => [describeView(view), ...(wroteLine ? [wroteLine] : [])].join('\n'));
      } else {
        ctx.emit({ summary: summary(model), gaps: model.gaps, ...traceability, problems: problems.map((p) => p.toJSON()) }, () => [...describeGaps(model), ...(wroteLine ? [wroteLine] : [])].join('\n'));
      }
      // Gaps are shown, not failed on (`check` gates on them); a change that does not load is an error.
      return problems.length ? 1 : 0;
    }));
}

function notWritten(problems: readonly DfErrorType[]): DfError {
  const first = problems[0]?.where.file;
  return new DfError(
    'invalid-schema',
    `${TRACEABILITY_REL} not written: ${problems.length} change${problems.length > 1 ? 's do' : ' does'} not load, so the view would leave ${problems.length > 1 ? 'them' : 'it'} out`,
    `fix ${first ?? 'the change.yaml files above'} (errors above), then rerun \`dynaforge trace --write\``,
    first ? { file: first } : {},
  );
}

function summary(model: TraceModel) {
  const reqs = model.requirements;
  return {
    requirements: reqs.length,
    verified: reqs.filter((r) => r.status === 'verified').length,
    covered: reqs.filter((r) => r.status === 'covered').length,
    untested: reqs.filter((r) => r.status === 'gap').length,
    tests: model.tests.length,
    workstreams: model.workstreams.length,
    changes: model.changes.length,
    gaps: model.gaps.length,
  };
}

function describeGaps(model: TraceModel): string[] {
  const s = summary(model);
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const lines = [`Trace: ${n(s.requirements, 'requirement')} (${s.verified} verified, ${s.covered} covered, ${s.untested} without a test), ${n(s.tests, 'test case')}, ${n(s.workstreams, 'workstream')}, ${n(s.changes, 'change')}.`];
  if (!model.gaps.length) return [...lines, 'No gaps.'];
  lines.push(`Gaps (${model.gaps.length}):`);
  const rows = model.gaps.map((g) => [`  ${g.kind}`, g.id, g.file ? `${g.file}${g.line ? `:${g.line}` : ''}` : '', g.message]);
  return [...lines, table(rows)];
}

/** Human text for one view. */
function describeView(view: TraceView): string {
  const at = (ls: readonly Location[]) => (ls.length ? ls.map((l) => `${l.file}:${l.line}`).join(', ') : '(no source defines it)');
  const row = (label: string, items: readonly string[]) => `  ${label.padEnd(14)}${items.length ? items.join(', ') : '—'}`;
  const lines: string[] = [];
  if (view.kind === 'fr') {
    const r = view.item;
    lines.push(`${r.id}${r.title ? `: ${r.title}` : ''}`, row('status', [r.status]), row('defined at', [`${r.at.file}:${r.at.line}`]), row('workstreams', r.ws), row('tests', r.tests), row('changes', r.changes), row('evidence', r.evidence));
  } else if (view.kind === 'ws') {
    const w = view.item;
    lines.push(`${w.id}${w.title ? `: ${w.title}` : ''}`, row('seen at', [at(w.at)]), row('requirements', w.frs), row('changes', w.changes));
  } else if (view.kind === 'tc') {
    const t = view.item;
    lines.push(t.id, row('seen at', [at(t.at)]), row('verifies', t.frs), row('changes', t.changes));
  } else {
    const c = view.item;
    lines.push(`${c.id}: ${c.title}`, row('status', [c.lifecycle]), row('requirements', c.frs), row('workstreams', c.ws), row('tests', c.tcs), row('verified by', c.verifiedBy), row('files', c.paths), row('evidence', c.evidence));
  }
  if (view.gaps.length) lines.push('  gaps:', ...view.gaps.map((g) => `    ${g.kind}: ${g.message}${g.file ? ` (${g.file}${g.line ? `:${g.line}` : ''})` : ''}`));
  return lines.join('\n');
}
