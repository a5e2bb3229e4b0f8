import type { AnswerInput } from '../../../core/analyze/clarify';
import { describeCounts, type AnalysisCommand } from '../../../core/analyze/findings';
import { analysisAction, type AnalysisValues } from '../../engine/analysisActions';
import { parseChatArgs } from '../chatArgs';
import { CHAT_VIA, changeOf, followup, valueOf, type ChatAnswer, type ChatCall, type ChatCommand } from '../chatCommand';
import { esc } from '../chatOut';
import { renderFindings } from '../findings';

/**
 * Runs one analysis (engine/analysisActions: its report under artifacts/analyze/ and an audit
 * event) and shows it; `before` writes what a command says ahead of the summary.
 */
async function analysis<N extends AnalysisCommand>(c: ChatCall, name: N, answer?: AnswerInput, before?: (v: AnalysisValues[N], id: string) => void): Promise<ChatAnswer> {
  const parsed = parseChatArgs(c.prompt);
  const id = changeOf(c, parsed.chId, name).change.id;
  c.out.progress(`${name} ${id}…`);
  const r = valueOf(c, await analysisAction(c.s, name, id, answer, CHAT_VIA));
  if (!r) return { chId: id };
  before?.(r, id);
  const { report, files } = r;
  c.out.para(`**${name} ${id}: ${report.status}** (${describeCounts(report.counts)})`);
  renderFindings(c.out, report.findings);
  c.out.md('Report: ');
  c.out.file(files.markdown);
  c.out.md('\n\n');
  return { chId: id, followups: [followup('status', id, `Status of ${id}`)] };
}

/** `@df /analyze [CH-###]`: cross-artifact consistency (unmapped requirements, untested criteria, stale evidence, constitution). */
export const analyzeCommand: ChatCommand = {
  name: 'analyze',
  access: 'writes',
  run: (c) => analysis(c, 'analyze'),
};

/** `@df /checklist [CH-###]`: writes changes/CH-###/checklist.md (auto items evaluated, manual ones kept). */
export const checklistCommand: ChatCommand = {
  name: 'checklist',
  access: 'writes',
  async run(c) {
    const answer = await analysis(c, 'checklist');
    if (answer.chId) {
      c.out.md('Checklist: ');
      c.out.file(`changes/${answer.chId}/checklist.md`);
      c.out.md('\n');
    }
    return answer;
  },
};

/**
 * `@df /clarify [CH-###]` lists the spec's open questions; `@df /clarify [CH-###] Q-2 <answer>`
 * records the answer in the spec's Clarifications section (approvals covering spec.md go stale).
 */
export const clarifyCommand: ChatCommand = {
  name: 'clarify',
  access: 'writes',
  async run(c) {
    const a = parseChatArgs(c.prompt);
    if (a.question && !a.text.trim()) {
      c.out.para(`The answer to ${a.question} is missing: \`@df /clarify ${a.chId ?? 'CH-001'} ${a.question} <your answer>\`.`);
      return {};
    }
    const answer = a.question ? { question: a.question, text: a.text.trim() } : undefined;
    return analysis(c, 'clarify', answer, (r, id) => {
      const done = r.report.answered;
      if (done) c.out.para(`Recorded the answer to **${done.question}** in ${done.file}:${done.entry_line}.${done.stale_approvals.length ? ` spec.md changed, so these approvals are now stale (review, then re-approve): ${done.stale_approvals.map((x) => `${x.stage} by ${esc(x.by)}`).join('; ')}.` : ''}`);
      const open = r.report.questions.filter((q) => q.status === 'open');
      if (open.length) c.out.para(`**Open questions:**\n${open.map((q) => `- **${q.id}** ${esc(q.text)}`).join('\n')}\n\nAnswer one: \`@df /clarify ${id} ${open[0]?.id ?? 'Q-1'} <answer>\``);
    });
  },
};
