import { loadTrace } from '../../../core/trace/loadTrace';
import { parseTraceId, traceItem, type TraceView } from '../../../core/trace/query';
import type { Location } from '../../../core/trace/sources';
import { splitWords } from '../chatArgs';
import { followup, openWorkspace, type ChatCall, type ChatCommand } from '../chatCommand';
import { esc } from '../chatOut';
import { renderFindings } from '../findings';

/** `@df /trace [CH-###|FR-…|WS-…|TC-…]`: the links of one item; with no id, the trace summary and its gaps. */
export const traceCommand: ChatCommand = {
  name: 'trace',
  access: 'runs',
  async run(c) {
    const given = splitWords(c.prompt.trim())[0];
    const id = given === undefined ? undefined : parseTraceId(given);
    c.out.progress('Reading the trace sources…');
    const { model, problems } = await loadTrace(await openWorkspace(c));
    for (const p of problems) c.out.error(p);
    if (id === undefined) {
      const reqs = model.requirements;
      c.out.para(`**Trace:** ${reqs.length} requirement(s) (${reqs.filter((r) => r.status === 'verified').length} verified, ${reqs.filter((r) => r.status === 'covered').length} covered, ${reqs.filter((r) => r.status === 'gap').length} without a test), ${model.tests.length} test case(s), ${model.workstreams.length} workstream(s), ${model.changes.length} change(s).`);
      if (!model.gaps.length) c.out.para('No gaps.');
      else renderFindings(c.out, model.gaps.map((g) => ({ kind: g.kind, severity: 'warning', message: `${g.id}: ${g.message}`, ...(g.file ? { file: g.file } : {}), ...(g.line ? { line: g.line } : {}), fix: 'add the missing link (a test naming the FR, or fix the id)' })));
      return {};
    }
    renderView(c, traceItem(model, id));
    return id.startsWith('CH-') ? { chId: id, followups: [followup('status', id, `Status of ${id}`)] } : {};
  },
};

function renderView(c: ChatCall, view: TraceView): void {
  const row = (label: string, items: readonly string[]) => `- **${label}:** ${items.length ? items.map(esc).join(', ') : '—'}`;
  const where = (ls: readonly Location[]) => {
    for (const l of ls.slice(0, 5)) {
      c.out.md(' ');
      c.out.file(l.file, l.line);
    }
    c.out.md('\n\n');
  };
  if (view.kind === 'fr') {
    const r = view.item;
    c.out.md(`**${r.id}**${r.title ? ` ${esc(r.title)}` : ''} — ${r.status}, defined at`);
    where([r.at]);
    c.out.para([row('workstreams', r.ws), row('tests', r.tests), row('changes', r.changes), row('evidence', r.evidence)].join('\n'));
  } else if (view.kind === 'ws') {
    const w = view.item;
    c.out.md(`**${w.id}**${w.title ? ` ${esc(w.title)}` : ''}, seen at`);
    where(w.at);
    c.out.para([row('requirements', w.frs), row('changes', w.changes)].join('\n'));
  } else if (view.kind === 'tc') {
    const t = view.item;
    c.out.md(`**${t.id}**, seen at`);
    where(t.at);
    c.out.para([row('verifies', t.frs), row('changes', t.changes)].join('\n'));
  } else {
    const ch = view.item;
    c.out.para(`**${ch.id}** ${esc(ch.title)} — ${ch.lifecycle}\n\n${[row('requirements', ch.frs), row('workstreams', ch.ws), row('tests', ch.tcs), row('verified by', ch.verifiedBy), row('files', ch.paths), row('evidence', ch.evidence)].join('\n')}`);
  }
  if (view.gaps.length) renderFindings(c.out, view.gaps.map((g) => ({ kind: g.kind, severity: 'warning', message: g.message, ...(g.file ? { file: g.file } : {}), ...(g.line ? { line: g.line } : {}), fix: 'add the missing link' })));
}
