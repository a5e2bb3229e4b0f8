import type { Change } from '../schema/change';
import type { Run } from '../schema/run';
import type { RunPlan } from './loop';
import type { TaskState, Verification } from './runState';

export const SUMMARY_FILE = 'CHANGE_SUMMARY.md';

export interface ChangedFile {
  readonly path: string;
  readonly action: 'created' | 'modified';
  readonly sha256: string;
}

function verdictOf(v: Verification): string {
  const counts = v.counts ? `; ${v.counts.passed} of ${v.counts.tests} tests passed${v.counts.skipped ? `, ${v.counts.skipped} skipped` : ''}` : '';
  return `${v.passed ? 'passed' : 'failed'} (${v.timed_out ? 'timed out' : `exit ${v.exit ?? 'killed'}`}${counts})`;
}

/** The last result of each test the task ran, in order of first run. */
function latest(vs: readonly Verification[]): Verification[] {
  const by = new Map<string, Verification>();
  for (const v of vs) by.set(v.name, v);
  return [...by.values()];
}

/**
 * `changes/CH-###/CHANGE_SUMMARY.md`, written at the end of a successful run: what survives of
 * it once the run folder is purged, each task linked to its entry in evidence.json (beside
 * this file). Deterministic: same run, same bytes.
 */
export function renderSummary(change: Change, run: Run, plan: RunPlan, states: readonly TaskState[], files: readonly ChangedFile[], folderRel: string): string {
  const out: string[] = [
    `# Change summary: ${change.id} — ${change.title}`,
    '',
    `Written by the Implementer at the end of run-${run.n} (run id \`${run.run_id}\`, ${run.finished ?? run.started}): model ${run.model}, seed ${run.seed}, ${run.steps_done} of ${run.max_steps} steps.`,
    `Task list hash: \`${run.tasks_hash ?? ''}\`. The run folder \`${folderRel}/\` is ephemeral; this file and each task's evidence in evidence.json are what persist.`,
    '',
    `**What:** ${plan.spec.summary}`,
    '',
    '## Tasks',
    '',
  ];
  for (const t of plan.tasks) {
    const st = states.find((s) => s.id === t.id);
    out.push(`### ${t.id}: ${t.title}${t.tasks_md ? ` (${t.tasks_md} in tasks.md)` : ''} — ${st?.status ?? 'pending'}`, '');
    out.push(`- Files changed: ${st?.files.length ? st.files.map((f) => `\`${f}\``).join(', ') : 'none'}`);
    for (const v of latest(st?.verification ?? [])) out.push(`- Verification \`${v.name}\`: ${verdictOf(v)}`);
    // A run resumed from a folder written before evidence.json held the Implementer's evidence has only its state to point at.
    out.push(`- Evidence: \`${st?.evidence ?? `${folderRel}/state.json#${t.id}`}\``, '');
  }
  out.push('## Files changed', '');
  if (files.length) {
    out.push('| file | change | sha256 |', '|---|---|---|');
    for (const f of files) out.push(`| \`${f.path}\` | ${f.action} | \`${f.sha256}\` |`);
  } else out.push('None.');
  out.push('', '## Verification', '');
  const all = latest(states.flatMap((s) => s.verification));
  if (all.length) {
    out.push('| test | result |', '|---|---|');
    for (const v of all) out.push(`| \`${v.name}\` | ${verdictOf(v)} |`);
  } else out.push('None.');
  return `${out.join('\n')}\n`;
}
