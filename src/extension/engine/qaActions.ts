import { validateChange, waiveVerdict, type ValidateResult, type WaiveResult } from '../../core/qa/validate';
import type { CommandSpec } from '../../core/tester/runner';
import type { Services } from '../services';
import type { ActionResult, Via } from './actionRunner';

export interface ValidateInput {
  readonly chId: string;
  /** Stops the test command running (its process group is killed); nothing is recorded then. */
  readonly signal?: AbortSignal;
  /** Each declared test command as it starts. */
  readonly onStart?: (spec: CommandSpec) => void;
}

/**
 * `dynaforge validate CH-###`: the Tester runs the declared test commands, the QA policy gives
 * the verdict; tests/results/CH-###.json, QA_REPORT.md, `qa_verdict` and the events are written
 * by the engine. A FAIL is a result, not an error (it raises a concern naming what failed).
 */
export function validateAction(s: Services, input: ValidateInput, via: Via = {}): Promise<ActionResult<ValidateResult>> {
  const { chId } = input;
  return s.runner.run({ name: 'validate', args: ['validate', chId], title: `validate ${chId}`, ...via }, async (ctx) => {
    const ws = await ctx.workspace();
    ctx.chId = chId;
    return validateChange(ws, chId, { correlationId: await ctx.correlationId(), env: process.env, ...(input.signal ? { signal: input.signal } : {}), ...(input.onStart ? { onStart: input.onStart } : {}) });
  });
}

/**
 * `dynaforge waive CH-### --note "…"`: a CONCERNS or FAIL verdict set aside with a justification,
 * recorded as the person's approval of the validate stage (the engine refuses a PASS, a verdict
 * already waived, or one reached under a QA policy that has changed since).
 */
export function waiveAction(s: Services, chId: string, note: string, via: Via = {}): Promise<ActionResult<WaiveResult>> {
  return s.runner.run({ name: 'waive', args: ['waive', chId, '--note', note], title: `waive the verdict of ${chId}`, ...via }, async (ctx) => {
    const ws = await ctx.workspace();
    ctx.chId = chId;
    return waiveVerdict(ws, chId, note, await ctx.correlationId());
  });
}
