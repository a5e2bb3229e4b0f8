import { DRIFT_KINDS, type FixAction } from '../../../core/drift/model';
import { runCheck } from '../../../core/check/check';
import { Commands } from '../../constants';
import { parseChatArgs } from '../chatArgs';
import { followup, openWorkspace, type ChatCommand } from '../chatCommand';
import { renderFindings } from '../findings';

const DRIFT = new Set<string>(DRIFT_KINDS);
const ACTION_TITLE: Record<FixAction, string> = { regenerate: 'Regenerate', 're-approve': 'Re-approve', attach: 'Attach', capture: 'Capture as a change', accept: 'Accept…' };

/**
 * `@df /reconcile [CH-###]`: the drift items (of one change or all), each with its fix and a
 * button per action; the button applies it through the engine (with an audit event).
 */
export const reconcileCommand: ChatCommand = {
  name: 'reconcile',
  access: 'runs',
  async run(c) {
    const id = parseChatArgs(c.prompt).chId;
    c.out.progress('Computing drift…');
    await c.s.model.refresh('chat /reconcile');
    const items = c.s.model.drift.items.filter((f) => DRIFT.has(f.kind) && (!id || f.ch_id === id));
    if (!items.length) {
      c.out.para(`No drift${id ? ` in ${id}` : ''}: every artifact, approval and scope agrees with the files and history.`);
      return { ...(id ? { chId: id } : {}), followups: [followup('check', '', 'Run the whole check')] };
    }
    c.out.para(`**${items.length} drift item${items.length === 1 ? '' : 's'}**${id ? ` in ${id}` : ''}:`);
    for (const f of items.slice(0, 8)) {
      renderFindings(c.out, [f]);
      for (const action of f.actions) c.out.button(`${ACTION_TITLE[action]} ${f.ch_id ?? ''} ${f.key.split(':').slice(-1)[0] ?? ''}`.replace(/\s+/g, ' ').trim(), Commands.Reconcile, { ...(f.ch_id ? { chId: f.ch_id } : {}), key: f.key, action });
    }
    if (items.length > 8) c.out.para(`… ${items.length - 8} more: Dynaforge: Reconcile… in the palette lists them all.`);
    return { ...(id ? { chId: id } : {}) };
  },
};

/** `@df /check`: the CI gate (validation, audit integrity, drift, trace gaps, gates), as the CLI runs it. */
export const checkCommand: ChatCommand = {
  name: 'check',
  access: 'runs',
  async run(c) {
    c.out.progress('Checking the project…');
    const ws = await openWorkspace(c);
    const r = await runCheck(ws);
    const n = (k: 'error' | 'warning' | 'note') => `${r.counts[k]} ${k}${r.counts[k] === 1 ? '' : 's'}`;
    c.out.para(`**check ${r.passed ? 'passed' : 'FAILED'}**: ${n('error')}, ${n('warning')}, ${n('note')}${r.accepted.length ? ` (${r.accepted.length} accepted as intentional)` : ''}; failing at ${r.failOn} or above; ${r.events} audit events verified.${r.git ? '' : ' Not a git repository: scope drift and orphan commits were not looked for.'}`);
    if (r.findings.length) renderFindings(c.out, r.findings);
    return { followups: r.findings.some((f) => DRIFT.has(f.kind)) ? [followup('reconcile', '', 'Reconcile the drift')] : [] };
  },
};

