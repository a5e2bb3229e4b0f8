import { capture, type CaptureResult } from '../../core/capture/capture';
import { setActive } from '../../core/store/activeChange';
import type { Services } from '../services';
import type { ActionResult, Via } from './actionRunner';

export interface CaptureInput {
  /** What to capture: a git range `A..B` (or `A`), the staged changes, or the working tree's. */
  readonly source: { readonly kind: 'range'; readonly range: string } | { readonly kind: 'staged' } | { readonly kind: 'working' };
  /** Attach to this change (its evidence) instead of opening a new change. */
  readonly into?: string;
  readonly title?: string;
  /** Make a new change the active one. */
  readonly use?: boolean;
}

/** `dynaforge capture --from A..B|--staged|--working [--into CH-###] [--title …]`: a diff recorded as evidence. */
export function captureAction(s: Services, input: CaptureInput, via: Via = {}): Promise<ActionResult<CaptureResult>> {
  const src = input.source;
  const flags = [...(src.kind === 'range' ? ['--from', src.range] : [`--${src.kind}`]), ...(input.into ? ['--into', input.into] : []), ...(input.title ? ['--title', input.title] : []), ...(input.use ? ['--use'] : [])];
  return s.runner.run({ name: 'capture', args: ['capture', ...flags], title: input.into ? `record evidence for ${input.into}` : 'capture a change', ...via }, async (ctx) => {
    const ws = await ctx.workspace();
    if (input.into) ctx.chId = input.into;
    const r = await capture(ws, {
      ...(src.kind === 'range' ? { from: src.range } : { staged: src.kind === 'staged', working: src.kind === 'working' }),
      ...(input.title ? { title: input.title } : {}),
      ...(input.into ? { into: input.into } : {}),
      actor: ws.actor('user'),
      correlationId: await ctx.correlationId(),
    });
    ctx.chId = r.change.id;
    if (input.use && r.created) setActive(ws.layout, r.change.id, ws.branch);
    return r;
  });
}
