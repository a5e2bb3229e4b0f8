import type * as vscode from 'vscode';
import { STAGE_ARTIFACTS } from '../../../core/approvals/approvals';
import type { Stage } from '../../../core/schema/change';
import { Commands } from '../../constants';
import type { ChangeView } from '../../project/snapshot';
import { approvalSummary, describeChange } from '../../views/changeSummary';
import { parseChatArgs } from '../chatArgs';
import { changeOf, followup, type ChatAnswer, type ChatCall, type ChatCommand } from '../chatCommand';
import { esc, escEngine, type ChatOut } from '../chatOut';

/** `@df /status [CH-###|all]`: one change in detail (default: the active one), or every change. Read-only. */
export const statusCommand: ChatCommand = {
  name: 'status',
  access: 'read',
  async run(c) {
    await c.s.model.refresh('chat /status');
    const args = parseChatArgs(c.prompt, { keywords: ['all'] });
    if (args.chId || (c.s.model.snapshot.active && !args.keywords.has('all'))) return renderChange(c, changeOf(c, args.chId, 'status'));
    return overview(c);
  },
};

/** Every change, one line each, the active one marked. */
function overview(c: ChatCall): ChatAnswer {
  const { changes, problems, active } = c.s.model.snapshot;
  if (!changes.length && !problems.length) {
    c.out.para('No changes yet. A change is the unit of work: start one with `@df /new <what you want to change>`.');
    return { followups: [followup('new', '', 'Start a change')] };
  }
  c.out.para(`**${changes.length} change${changes.length === 1 ? '' : 's'}**${active ? ` · active: **${active.id}**` : ' · none active'}`);
  const lines = changes.map((v) => `- **${v.change.id}** ${esc(v.change.title)} — ${v.status ? `${v.status.lifecycle} · ${describeChange(v.status, c.s.model.driftOf(v.change.id))}` : `status unavailable: ${esc(v.error?.message ?? '')}`}${v.change.id === active?.id ? ' · *active*' : ''}`);
  c.out.para(lines.join('\n'));
  for (const p of problems) c.out.para(`⚠ ${escEngine(p.message)} — ${escEngine(p.fix)}`);
  const first = active?.id ?? changes[0]?.change.id;
  return first ? { followups: [followup('status', first, `Status of ${first}`)] } : {};
}

/** One change: lifecycle, stage, approvals, blockers, concerns, drift, tasks, and what comes next. */
export function renderChange(c: ChatCall, v: ChangeView): ChatAnswer {
  const { out } = c;
  const id = v.change.id;
  const snap = c.s.model.snapshot;
  const st = v.status;
  out.para(`**${id}** ${esc(v.change.title)}${snap.active?.id === id ? ' · *active*' : ''}`);
  if (!st) {
    out.error(v.error ?? { message: `the status of ${id} could not be derived` });
    return { chId: id };
  }
  out.para(`${st.lifecycle} · stage **${st.stage}** · ${approvalSummary(st).text}${v.change.status !== 'open' ? ` · ${v.change.status}` : ''}`);
  const files = ['change.yaml', ...v.artifacts.filter((a) => a !== 'change.yaml')];
  out.md('Files: ');
  files.forEach((a, i) => {
    out.file(`changes/${id}/${a}`, undefined, a);
    out.md(i < files.length - 1 ? ' · ' : '\n\n');
  });
  section(out, 'Approvals', st.approvals.map((a) => `${a.approval.stage}${a.approval.sub_scope ? ` [${esc(a.approval.sub_scope)}]` : ''}: ${a.approval.decision} by ${esc(a.approval.by)}${a.approval.note ? ` (“${esc(a.approval.note)}”)` : ''} — ${a.current ? 'current' : `stale: ${a.changed.join(', ')} changed`}`));
  section(out, 'Blockers', st.blockers.map(escEngine));
  section(out, 'Open concerns', st.openConcerns.map((k) => `${k.id} [${k.severity}, ${k.status}] ${esc(k.summary)}`));
  const drift = c.s.model.driftOf(id);
  section(out, 'Drift', drift.slice(0, 5).map((f) => `${f.kind}: ${escEngine(f.message)}${f.file ? ` (${f.file}${f.line ? `:${f.line}` : ''})` : ''}`), drift.length > 5 ? `… ${drift.length - 5} more: \`@df /reconcile ${id}\`` : undefined);
  const live = v.tasks.filter((t) => t.state !== 'dropped');
  if (live.length) out.para(`Tasks: ${live.filter((t) => t.state === 'done').length} of ${live.length} done${live.some((t) => t.state === 'doing') ? ` · in progress: ${live.filter((t) => t.state === 'doing').map((t) => t.id).join(', ')}` : ''}`);
  if (v.change.status !== 'open') return { chId: id };
  out.para(nextStep(st.stage, v));
  if (snap.trusted) stageButtons(out, id, st.stage);
  return { chId: id, followups: followupsFor(id, st.stage) };
}

function section(out: ChatOut, title: string, lines: readonly string[], more?: string): void {
  if (!lines.length) return;
  out.para(`**${title}**\n${lines.map((l) => `- ${l}`).join('\n')}${more ? `\n- ${more}` : ''}`);
}

/** What a person does at each stage, in words. */
function nextStep(stage: Stage, v: ChangeView): string {
  const missing = STAGE_ARTIFACTS[stage].required.filter((a) => !v.artifacts.includes(a));
  if (missing.length) return `**Next:** ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing for the ${stage} stage — \`@df /plan ${v.change.id}\` lets the Designer write ${missing.length > 1 ? 'them' : 'it'}.`;
  const covers = STAGE_ARTIFACTS[stage].required;
  return `**Next:** review and approve the **${stage}** stage${covers.length ? ` (it covers ${covers.join(', ')})` : ''}.`;
}

/** Approve / Deny buttons for the stage (Deny asks for its reason). */
export function stageButtons(out: ChatOut, chId: string, stage: Stage): void {
  out.button(`Approve ${stage}`, Commands.Approve, { chId, stage });
  out.button(`Deny ${stage}…`, Commands.Deny, { chId, stage });
}

/** Followups that make sense at a stage. */
export function followupsFor(chId: string, stage: Stage): vscode.ChatFollowup[] {
  switch (stage) {
    case 'frame':
      return [followup('approve', `${chId} frame`, `Approve the frame of ${chId}`), followup('impact', chId, `Impact of ${chId}`)];
    case 'spec':
      return [followup('plan', chId, `Let the Designer write the spec of ${chId}`), followup('clarify', chId, `Open questions of ${chId}`)];
    case 'execute':
      return [followup('plan', chId, `Plan and tasks of ${chId}`), followup('tasks', chId, `Tasks of ${chId}`)];
    case 'validate':
      return [followup('implement', chId, `Implement ${chId}`), followup('tasks', chId, `Tasks of ${chId}`)];
    default:
      return [followup('check', '', 'Run the check'), followup('trace', chId, `Trace of ${chId}`)];
  }
}
