import { impactAction } from '../../engine/analysisActions';
import { captureAction, type CaptureInput } from '../../engine/captureAction';
import { parseChatArgs } from '../chatArgs';
import { CHAT_VIA, changeOf, followup, valueOf, type ChatCommand } from '../chatCommand';
import { esc, escEngine } from '../chatOut';

/**
 * `@df /capture --working|--staged|--from A..B [--into CH-###] [title]`: a diff becomes a new
 * change of origin code (scope, evidence, brief from the commits), or evidence of an existing one.
 */
export const captureCommand: ChatCommand = {
  name: 'capture',
  access: 'writes',
  async run(c) {
    const a = parseChatArgs(c.prompt, { ids: false });
    const from = a.flags.get('from');
    const sources = [typeof from === 'string' ? 'range' : undefined, a.flags.has('staged') ? 'staged' : undefined, a.flags.has('working') ? 'working' : undefined].filter(Boolean);
    if (sources.length !== 1) {
      c.out.para(`What should be captured? Give exactly one of \`--working\` (tracked files changed against HEAD), \`--staged\` (the index) or \`--from A..B\` (commits), e.g. \`@df /capture --from main..HEAD\`. Add \`--into CH-012\` to attach the diff to an existing change as evidence.`);
      return { followups: [followup('capture', '--working', 'Capture the working tree'), followup('capture', '--staged', 'Capture the staged changes')] };
    }
    const into = a.flags.get('into');
    const title = a.flags.get('title') ?? a.text;
    const source: CaptureInput['source'] = typeof from === 'string' ? { kind: 'range', range: from } : { kind: a.flags.has('staged') ? 'staged' : 'working' };
    c.out.progress('Capturing the diff…');
    const r = valueOf(c, await captureAction(c.s, { source, ...(typeof into === 'string' ? { into: parseChatArgs(into).chId ?? into } : {}), ...(typeof title === 'string' && title.trim() ? { title: title.trim() } : {}) }, CHAT_VIA));
    if (!r) return {};
    const id = r.change.id;
    const e = r.evidence;
    c.out.para(`${r.created ? 'Captured into the new change' : 'Recorded evidence for'} **${id}** “${esc(r.change.title)}”: ${e.commits.length} commit(s), ${e.files.length} file(s), diff sha256 ${e.diff_sha256.slice(0, 16)}… as \`${r.evidenceRef}\`.`);
    c.out.reference(`changes/${id}/evidence.json`);
    if (r.created) c.out.reference(`changes/${id}/brief.md`);
    for (const w of r.warnings) c.out.para(`⚠ ${escEngine(w)}`);
    return { chId: id, followups: [followup('impact', id, `Impact of ${id}`), followup('status', id, `Status of ${id}`)] };
  },
};

/** `@df /impact [CH-###]`: writes changes/CH-###/impact.md (files, co-changes, FRs, TCs, suggested risk, conflicts). */
export const impactCommand: ChatCommand = {
  name: 'impact',
  access: 'writes',
  async run(c) {
    const id = changeOf(c, parseChatArgs(c.prompt).chId, 'impact').change.id;
    c.out.progress(`Impact of ${id}: files, history, requirements…`);
    const r = valueOf(c, await impactAction(c.s, id, CHAT_VIA));
    if (!r) return { chId: id };
    const rep = r.report;
    c.out.md(`${r.written ? 'Wrote' : 'Unchanged (same inputs, same bytes):'} `);
    c.out.file(r.file);
    c.out.para(
      `\n\n- ${rep.files.length + rep.unmatched.length} file(s) in scope, ${rep.co_changes.length} co-changing\n- ${rep.frs.length} requirement(s), ${rep.tcs.length} test case(s)\n- suggested risk tier: **${rep.risk.suggested}**${rep.risk.suggested === rep.risk.recorded ? '' : ` (recorded: ${rep.risk.recorded})`}\n- ${rep.conflicts.length ? `conflicts with open changes: ${rep.conflicts.map((x) => x.id).join(', ')}` : 'no conflicts with other open changes'}`,
    );
    return { chId: id, followups: [followup('status', id, `Status of ${id}`)] };
  },
};
