import { STAGE_ARTIFACTS } from '../../../core/approvals/approvals';
import { Commands } from '../../constants';
import { decideAction } from '../../engine/decideAction';
import { parseChatArgs } from '../chatArgs';
import { CHAT_VIA, changeOf, followup, valueOf, type ChatAnswer, type ChatCall, type ChatCommand } from '../chatCommand';
import { esc } from '../chatOut';
import { followupsFor } from './status';

/**
 * `@df /approve [CH-###] <stage> [note]`: records the approval as the person at the keyboard
 * (git identity, covered hashes). Without a stage it says what approving the current stage
 * would cover and offers the button, so nothing is approved by accident.
 */
export const approveCommand: ChatCommand = {
  name: 'approve',
  access: 'writes',
  run: (c) => decide(c, 'approved'),
};

/** `@df /deny [CH-###] <stage> <reason>`: the stage goes back for rework and a concern is raised. */
export const denyCommand: ChatCommand = {
  name: 'deny',
  access: 'writes',
  run: (c) => decide(c, 'denied'),
};

async function decide(c: ChatCall, decision: 'approved' | 'denied'): Promise<ChatAnswer> {
  const verb = decision === 'approved' ? 'approve' : 'deny';
  const args = parseChatArgs(c.prompt, { stages: true });
  const view = changeOf(c, args.chId, verb);
  const id = view.change.id;
  const note = (typeof args.flags.get('note') === 'string' ? (args.flags.get('note') as string) : args.text).trim();
  const current = view.status?.stage;
  if (!args.stage || (decision === 'denied' && !note)) {
    const stage = args.stage ?? current;
    if (!stage) {
      c.out.error(view.error ?? { message: `the stage of ${id} is unknown` });
      return { chId: id };
    }
    const covers = STAGE_ARTIFACTS[stage].required.concat(STAGE_ARTIFACTS[stage].optional).filter((a) => view.artifacts.includes(a));
    c.out.para(
      decision === 'approved'
        ? `**${id}** is at stage **${current}**. Approving **${stage}** records your git identity and the hash of ${covers.length ? covers.map((a) => `\`${a}\``).join(', ') : 'no artifact'}; it stays current while they are unchanged.`
        : `Denying **${stage}** of **${id}** needs a reason: it is recorded with the denial and raises a concern. Type \`@df /deny ${id} ${stage} <reason>\`, or use the button.`,
    );
    for (const a of covers) c.out.reference(`changes/${id}/${a}`);
    c.out.button(decision === 'approved' ? `Approve ${stage}` : `Deny ${stage}…`, decision === 'approved' ? Commands.Approve : Commands.Deny, { chId: id, stage });
    return { chId: id, followups: decision === 'approved' ? [followup('approve', `${id} ${stage}`, `Approve ${stage} of ${id}`)] : [] };
  }
  c.out.progress(`${decision === 'approved' ? 'Approving' : 'Denying'} ${args.stage} of ${id}…`);
  const v = valueOf(c, await decideAction(c.s, { chId: id, stage: args.stage, decision, ...(note ? { note } : {}) }, CHAT_VIA));
  if (!v) return { chId: id };
  if (decision === 'approved') {
    const covered = Object.entries(v.covers).map(([name, hash]) => `\`${name}\` (sha256 ${hash.slice(0, 12)}…)`);
    c.out.para(`✅ Approved **${v.stage}** of **${id}** as ${esc(v.by)}.\n\nCovers: ${covered.join(', ') || 'no artifacts'}. It stays current while those files are unchanged.${v.next && v.next !== v.stage ? `\n\nNext stage: **${v.next}**.` : ''}`);
  } else {
    c.out.para(`⛔ Denied **${v.stage}** of **${id}** as ${esc(v.by)}: “${esc(note)}”.\n\nRaised concern **${v.concern ?? ''}**; the stage goes back for rework.`);
  }
  return { chId: id, followups: [followup('status', id, `Status of ${id}`), ...(v.next ? followupsFor(id, v.next) : [])] };
}
