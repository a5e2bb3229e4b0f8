import { join } from 'node:path';
import { activateRecorded, createRecordedChange } from '../../core/store/recorded';
import type { Workspace } from '../../core/workspace';
import type { Services } from '../services';
import type { ActionContext, ActionResult, Via } from './actionRunner';

export interface NewChangeInput {
  readonly title: string;
  /** Make it the active change (`--use`). */
  readonly use: boolean;
  /** Files, folders or globs it may change (`--scope`). */
  readonly scope?: readonly string[];
  /** Requirements it touches (`--fr`). */
  readonly frs?: readonly string[];
}

export interface NewChangeValue {
  readonly id: string;
  readonly title: string;
  /** Absolute path of its brief.md. */
  readonly brief: string;
  readonly active: boolean;
}

/** `dynaforge new "<title>" [--scope …] [--fr …] [--use]`: the change, its created event and, with `use`, the switch. */
export function newChangeAction(s: Services, input: NewChangeInput, via: Via = {}): Promise<ActionResult<NewChangeValue>> {
  const args = ['new', input.title, ...(input.scope?.length ? ['--scope', ...input.scope] : []), ...(input.frs?.length ? ['--fr', ...input.frs] : []), ...(input.use ? ['--use'] : [])];
  return s.runner.run({ name: 'new', args, title: 'create a change', ...via }, async (ctx) => {
    const ws = await ctx.workspace();
    const change = await createRecordedChange(ws, { title: input.title, paths: [...(input.scope ?? [])], frs: [...(input.frs ?? [])] }, ws.actor('user'), await ctx.correlationId());
    ctx.chId = change.id;
    if (input.use) await activate(ws, ctx, change.id);
    return { id: change.id, title: change.title, brief: join(ws.layout.root, ws.store.relFile(change.id, 'brief.md')), active: input.use };
  });
}

/** `dynaforge use CH-###` inside an action: recorded first, so a switch the audit log refuses does not happen. */
export async function activate(ws: Workspace, ctx: ActionContext, chId: string): Promise<void> {
  await activateRecorded(ws, chId, ws.actor('user'), await ctx.correlationId());
}
