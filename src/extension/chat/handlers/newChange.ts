import { driveChange } from '../../../core/agents/orchestrator';
import { activate } from '../../engine/newChangeAction';
import { abortOn } from '../../lifecycle';
import { chooseModel } from '../../model/chooseModel';
import { CHAT_VIA, followup, valueOf, type ChatCommand } from '../chatCommand';
import { esc } from '../chatOut';
import { DESIGN_ONLY, renderLoopEvent } from '../loopEvents';

/**
 * `@df /new <what you want to change>`: the PM frames the request as a new change (title,
 * brief, scope, requirements — with the chat's model; from the request itself in template
 * mode), makes it the active one, and stops where a person approves the frame.
 */
export const newCommand: ChatCommand = {
  name: 'new',
  access: 'writes',
  async run(c) {
    const request = c.prompt.trim();
    if (!request) {
      c.out.para('What do you want to change? Say it in a line or a paragraph, e.g. `@df /new Rate-limit the login endpoint to 5 attempts a minute`. The PM frames it as a change: title, brief, scope.');
      return {};
    }
    const signal = abortOn(c.token);
    const render = renderLoopEvent(c.out, true);
    const result = await c.s.runner.run({ name: 'run', args: ['run', '--request', request], title: 'frame a new change', ...CHAT_VIA }, async (ctx) => {
      const ws = await ctx.workspace();
      const model = await chooseModel(c.s.settings.value, ws, c.request.model);
      c.out.progress(model.port.provider === 'none' ? 'Framing the change from your words (template mode)…' : `The PM frames the change with ${model.port.description}…`);
      const outcome = await driveChange(ws, { request, model: model.port, seed: 0, steps: DESIGN_ONLY, signal, emit: render });
      ctx.chId = outcome.ch_id;
      await activate(ws, ctx, outcome.ch_id);
      return { id: outcome.ch_id, title: ws.store.read(outcome.ch_id).title, templated: model.port.provider === 'none', why: model.why };
    });
    const v = valueOf(c, result);
    if (!v) return {};
    c.out.para(`Created **${v.id}** “${esc(v.title)}” and made it the active change.${v.templated && v.why ? ` No model framed it (${esc(v.why)}): edit the brief to say more.` : ''}`);
    c.out.reference(`changes/${v.id}/brief.md`);
    return { chId: v.id, followups: [followup('status', v.id, `Status of ${v.id}`), followup('impact', v.id, `Impact of ${v.id}`), followup('approve', `${v.id} frame`, `Approve the frame of ${v.id}`)] };
  },
};
