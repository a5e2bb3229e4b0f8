import { driveChange } from '../../../core/agents/orchestrator';
import { deriveAndRecord } from '../../../core/artifacts/deriveRecorded';
import { nextTask } from '../../../core/tasks/taskWork';
import { Commands } from '../../constants';
import { chooseModel } from '../../model/chooseModel';
import type { TaskView } from '../../project/snapshot';
import { parseChatArgs } from '../chatArgs';
import { CHAT_VIA, changeOf, followup, openWorkspace, valueOf, type ChatAnswer, type ChatCall, type ChatCommand } from '../chatCommand';
import { esc } from '../chatOut';
import { DESIGN_ONLY, renderLoopEvent } from '../loopEvents';
import { abortOn } from '../../lifecycle';

/**
 * `@df /plan [CH-###]`: the PM hands the change to the Designer, who writes what the stage
 * needs — the spec once the frame is approved, plan and tasks once the spec is — with the
 * chat's model (or the templates in template mode), and the loop stops where a person approves.
 */
export const planCommand: ChatCommand = {
  name: 'plan',
  access: 'writes',
  async run(c) {
    const args = parseChatArgs(c.prompt);
    const view = changeOf(c, args.chId, 'plan');
    const id = view.change.id;
    const stage = view.status?.stage;
    if (stage === 'validate' || stage === 'package' || stage === 'cleanup') {
      c.out.para(`The plan and tasks of **${id}** are approved (stage **${stage}**): the design is done.`);
      return { chId: id, followups: [followup('tasks', id, `Tasks of ${id}`), followup('implement', id, `Implement ${id}`)] };
    }
    const signal = abortOn(c.token);
    const result = await c.s.runner.run({ name: 'run', args: ['run', id], title: `design ${id}`, ...CHAT_VIA }, async (ctx) => {
      const ws = await ctx.workspace();
      ctx.chId = id;
      const model = await chooseModel(c.s.settings.value, ws, c.request.model);
      if (model.port.provider === 'none') c.out.progress(`Template mode: ${model.why ?? 'no model'}`);
      return driveChange(ws, { ch: id, model: model.port, seed: 0, steps: DESIGN_ONLY, signal, emit: renderLoopEvent(c.out, true) });
    });
    if (!valueOf(c, result)) return { chId: id };
    return { chId: id, followups: [followup('status', id, `Status of ${id}`), followup('tasks', id, `Tasks of ${id}`)] };
  },
};

/**
 * `@df /tasks [CH-###] [update]`: the tasks of tasks.md with their state, and buttons to start
 * the next one or finish the one in progress by hand (task start / task done, with evidence).
 * `update` derives tasks.md again from the plan, keeping ids and states.
 */
export const tasksCommand: ChatCommand = {
  name: 'tasks',
  access: 'read',
  async run(c) {
    const args = parseChatArgs(c.prompt, { keywords: ['update'] });
    let view = changeOf(c, args.chId, 'tasks');
    const id = view.change.id;
    if (args.keywords.has('update')) {
      const r = valueOf(
        c,
        await c.s.runner.run({ name: 'tasks', args: ['tasks', id], title: `derive tasks.md of ${id}`, ...CHAT_VIA }, async (ctx) => {
          const ws = await ctx.workspace();
          ctx.chId = id;
          return deriveAndRecord(ws, id, 'tasks', ws.actor('user'), await ctx.correlationId());
        }),
      );
      if (!r) return { chId: id };
      c.out.para(`${r.action === 'unchanged' ? 'tasks.md is up to date' : `tasks.md ${r.action}`}${r.tasks ? `: ${r.tasks.kept} kept, ${r.tasks.added} added, ${r.tasks.dropped} dropped` : ''}.`);
      view = changeOf(c, id, 'tasks');
    }
    return renderTasks(c, id, view.tasks, view.change.status === 'open');
  },
};

const BOX = { todo: '[ ]', doing: '[~]', done: '[x]', dropped: '[-]' } as const;

/** The task list, linked to its lines in tasks.md, with start/done buttons (trusted folders, open changes). */
export async function renderTasks(c: ChatCall, id: string, tasks: readonly TaskView[], open: boolean): Promise<ChatAnswer> {
  const rel = `changes/${id}/tasks.md`;
  if (!tasks.length) {
    c.out.para(`**${id}** has no tasks yet: tasks.md is written with the plan — \`@df /plan ${id}\`.`);
    return { chId: id, followups: [followup('plan', id, `Plan ${id}`)] };
  }
  const live = tasks.filter((t) => t.state !== 'dropped');
  c.out.para(`**${id}**: ${live.filter((t) => t.state === 'done').length} of ${live.length} task(s) done`);
  for (const t of tasks) {
    c.out.md(`- \`${BOX[t.state]}\` **${t.id}** ${esc(t.text)} `);
    c.out.file(rel, t.line, `tasks.md:${t.line}`);
    c.out.md('\n');
  }
  c.out.md('\n');
  if (!open || !c.s.model.snapshot.trusted) return { chId: id };
  const doing = tasks.filter((t) => t.state === 'doing');
  for (const t of doing) c.out.button(`Done ${t.id} (with evidence)`, Commands.CompleteTask, { chId: id, task: t.id });
  if (!doing.length) {
    const ws = await openWorkspace(c);
    const next = nextTask(ws, id).next;
    if (next) c.out.button(`Start ${next.id}`, Commands.StartTask, { chId: id, task: next.id });
    else if (live.every((t) => t.state === 'done')) c.out.para('All tasks are done.');
  }
  return { chId: id, followups: [followup('implement', id, `Let the Implementer do them`), followup('status', id, `Status of ${id}`)] };
}
