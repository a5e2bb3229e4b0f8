import type { ImplementerEvent } from '../../core/implementer/events';
import { abortRun, type AbortReport } from '../../core/implementer/abort';
import { resumeRun, startRun, type RunReport } from '../../core/implementer/implement';
import { commandVerifier } from '../../core/implementer/verifier';
import type { ModelPort } from '../../core/model/modelPort';
import type { Workspace } from '../../core/workspace';
import type { Services } from '../services';
import type { ActionResult, Via } from './actionRunner';
import { EditorWriter } from './editorWriter';

export interface ImplementInput {
  readonly chId: string;
  readonly resume?: boolean;
  /** The step budget (`--max-steps`): of a new run, or raised for a resumed one whose budget is spent. */
  readonly maxSteps?: number;
  /** The model, chosen by the caller once the workspace is open (chooseModel). */
  readonly model: (ws: Workspace) => ModelPort;
  /** The Implementer's progress, as it happens. */
  readonly onEvent?: (e: ImplementerEvent) => void;
  /** Stops the run (a cancelled chat request); the run is then marked aborted and can be resumed. */
  readonly signal?: AbortSignal;
}

/**
 * `dynaforge implement CH-###` (or `implement resume`): the Implementer's micro-loop with the
 * given model, tracked in LiveRuns so an Abort button can stop it.
 */
export function implementAction(s: Services, input: ImplementInput, via: Via = {}): Promise<ActionResult<RunReport>> {
  const { chId } = input;
  const budget = input.maxSteps !== undefined ? { maxSteps: input.maxSteps } : {};
  const args = [...(input.resume ? ['implement', 'resume', chId] : ['implement', chId]), ...(input.maxSteps !== undefined ? ['--max-steps', String(input.maxSteps)] : [])];
  return s.runner.run({ name: input.resume ? 'implement resume' : 'implement', args, title: `implement ${chId}`, ...via }, async (ctx) => {
    const ws = await ctx.workspace();
    ctx.chId = chId;
    const correlationId = await ctx.correlationId();
    return s.runs.track(chId, (signal) => {
      const both = input.signal ? AbortSignal.any([signal, input.signal]) : signal;
      // Writes as editor edits: visible, and undoable in the editor.
      const deps = { ws, model: input.model(ws), verifier: commandVerifier(ws.layout.root, process.env), correlationId, signal: both, writer: new EditorWriter(s.log), ...(input.onEvent ? { onEvent: input.onEvent } : {}) };
      return input.resume ? resumeRun(deps, { chId, ...budget }) : startRun(deps, { chId, ...budget });
    });
  });
}

/**
 * `dynaforge implement abort CH-###`: a live run is stopped first; then the newest run's files
 * go back to what they were before it (files edited since are kept, and reported) and the
 * evidence it recorded is withdrawn.
 */
export async function abortRunAction(s: Services, chId: string, via: Via = {}): Promise<ActionResult<AbortReport & { stopped: boolean }>> {
  const stopped = await s.runs.cancel(chId);
  return s.runner.run({ name: 'implement abort', args: ['implement', 'abort', chId], title: `abort the run of ${chId}`, ...via }, async (ctx) => {
    const ws = await ctx.workspace();
    ctx.chId = chId;
    return { ...(await abortRun(ws, chId, { actor: ws.actor('user'), correlationId: await ctx.correlationId() })), stopped };
  });
}
