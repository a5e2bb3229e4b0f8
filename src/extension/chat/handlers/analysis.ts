import { runAnalyze } from '../../../core/analyze/analyze';
import { runChecklist } from '../../../core/analyze/checklist';
import { runClarify } from '../../../core/analyze/clarify';
import { describeCounts, type AnalysisReport } from '../../../core/analyze/findings';
import type { Workspace } from '../../../core/workspace';
import type { ActionContext } from '../../engine/actionRunner';
import { parseChatArgs } from '../chatArgs';
import { CHAT_VIA, changeOf, followup, valueOf, type ChatAnswer, type ChatCall, type ChatCommand } from '../chatCommand';
import { esc } from '../chatOut';
import { renderFindings } from '../findings';

type Analysis = 'analyze' | 'checklist' | 'clarify';

/** Runs one analysis through the ActionRunner (each writes its report under artifacts/analyze/ and an audit event). */
async function analysis(c: ChatCall, name: Analysis, args: readonly string[], body: (ws: Workspace, id: string, ctx: ActionContext) => Promise<{ report: AnalysisReport; files: { json: string; markdown: string } }>): Promise<ChatAnswer> {
  const parsed = parseChatArgs(c.prompt);
  const id = changeOf(c, parsed.chId, name).change.id;
  c.out.progress(`${name} ${id}…`);
  const r = valueOf(
    c,
    await c.s.runner.run({ name, args: [name, id, ...args], title: `${name} ${id}`, ...CHAT_VIA }, async (ctx) => {
      const ws = await ctx.workspace();
      ctx.chId = id;
      return body(ws, id, ctx);
    }),
  );
  if (!r) return { chId: id };
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
  run: (c) => analysis(c, 'analyze', [], async (ws, id, ctx) => runAnalyze(ws, id, ws.actor('user'), await ctx.correlationId())),
};

/** `@df /checklist [CH-###]`: writes changes/CH-###/checklist.md (auto items evaluated, manual ones kept). */
export const checklistCommand: ChatCommand = {
  name: 'checklist',
  access: 'writes',
  async run(c) {
    const answer = await analysis(c, 'checklist', [], async (ws, id, ctx) => runChecklist(ws, id, ws.actor('user'), await ctx.correlationId()));
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
    const extra = answer ? ['--answer', answer.question, answer.text] : [];
    return analysis(c, 'clarify', extra, async (ws, id, ctx) => {
      const r = await runClarify(ws, id, ws.actor('user'), await ctx.correlationId(), answer);
      const done = r.report.answered;
      if (done) c.out.para(`Recorded the answer to **${done.question}** in ${done.file}:${done.entry_line}.${done.stale_approvals.length ? ` spec.md changed, so these approvals are now stale (review, then re-approve): ${done.stale_approvals.map((x) => `${x.stage} by ${esc(x.by)}`).join('; ')}.` : ''}`);
      const open = r.report.questions.filter((q) => q.status === 'open');
      if (open.length) c.out.para(`**Open questions:**\n${open.map((q) => `- **${q.id}** ${esc(q.text)}`).join('\n')}\n\nAnswer one: \`@df /clarify ${id} ${open[0]?.id ?? 'Q-1'} <answer>\``);
      return r;
    });
  },
};
