import { runAnalyze } from '../../core/analyze/analyze';
import { runChecklist } from '../../core/analyze/checklist';
import { runClarify, type AnswerInput } from '../../core/analyze/clarify';
import type { AnalysisCommand } from '../../core/analyze/findings';
import { writeImpact, type ImpactWritten } from '../../core/impact/impact';
import type { Services } from '../services';
import type { ActionResult, Via } from './actionRunner';

/** What each analysis returns: its report and the files it wrote (repository-relative). */
export interface AnalysisValues {
  readonly analyze: Awaited<ReturnType<typeof runAnalyze>>;
  readonly checklist: Awaited<ReturnType<typeof runChecklist>>;
  readonly clarify: Awaited<ReturnType<typeof runClarify>>;
}

/**
 * `dynaforge analyze|checklist|clarify CH-### [--answer Q-n "…"]`: the report under
 * artifacts/analyze/CH-###/ (checklist also changes/CH-###/checklist.md; an answer goes into
 * spec.md) and one `analysis.recorded` event. Shared by the palette and the chat participant.
 */
export function analysisAction<N extends AnalysisCommand>(s: Services, name: N, chId: string, answer?: AnswerInput, via: Via = {}): Promise<ActionResult<AnalysisValues[N]>> {
  const args = [name, chId, ...(answer ? ['--answer', answer.question, answer.text] : [])];
  return s.runner.run({ name, args, title: `${name} ${chId}`, ...via }, async (ctx) => {
    const ws = await ctx.workspace();
    ctx.chId = chId;
    const actor = ws.actor('user');
    const correlationId = await ctx.correlationId();
    const runs: { readonly [K in AnalysisCommand]: () => Promise<AnalysisValues[K]> } = {
      analyze: () => runAnalyze(ws, chId, actor, correlationId),
      checklist: () => runChecklist(ws, chId, actor, correlationId),
      clarify: () => runClarify(ws, chId, actor, correlationId, answer),
    };
    return runs[name]();
  });
}

/** `dynaforge impact CH-###`: changes/CH-###/impact.md (files, co-changes, FRs, TCs, suggested risk, conflicts). */
export function impactAction(s: Services, chId: string, via: Via = {}): Promise<ActionResult<ImpactWritten>> {
  return s.runner.run({ name: 'impact', args: ['impact', chId], title: `impact of ${chId}`, ...via }, async (ctx) => {
    const ws = await ctx.workspace();
    ctx.chId = chId;
    return writeImpact(ws, chId, ws.actor('user'), await ctx.correlationId());
  });
}
