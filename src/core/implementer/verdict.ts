import { excerpt } from '../model/toolCalls';
import { recordEvidence } from './evidence';
import type { RunLoop } from './loop';
import type { BlockReason, RunTask, TaskState, Verification } from './runState';
import { markedDone, tasksMdRel } from './tasksMd';

function brief(v: Verification): { name: string; exit: number | null; timed_out: boolean; passed: boolean } {
  return { name: v.name, exit: v.exit, timed_out: v.timed_out, passed: v.passed };
}

/** `unit (exit 1)`, `e2e (timed out)`, `lint (no exit code: …)` (killed, or no longer declared) */
function failure(v: Verification): string {
  return `${v.name} (${v.timed_out ? 'timed out' : v.exit === null ? `no exit code: ${excerpt(v.output_tail, 80)}` : `exit ${v.exit}`}${v.counts ? `, ${v.counts.failed} of ${v.counts.tests} tests failed` : ''})`;
}

/**
 * The model says the task is finished. It is done only with evidence: files the task changed
 * (still changed now) and its verification passing after the last write. A result the model
 * got from run_verification counts when no write came after it; otherwise the tests are run
 * here. The evidence then goes to the change's evidence.json, and tasks.md links it. Anything
 * less is a concern and the task is blocked, whatever the model claimed.
 */
export async function judgeClaim(loop: RunLoop, task: RunTask, st: TaskState, claim: string, step: number): Promise<boolean> {
  st.claim = claim;
  const files = loop.tracker.changedBy(task.id);
  st.files = files;
  const names = task.verify.length ? task.verify : loop.tests.map((t) => t.name);
  const said = claim.trim() ? `"${excerpt(claim, 160)}"` : '(no text)';

  if (!files.length) return block('no-changes', `claimed done without changing any file: ${said}`, []);
  if (!names.length) return block('no-verification', `changed ${files.join(', ')} but there is no verification to run (config.yaml tests[] is empty); declare a test command`, []);

  const results: Verification[] = [];
  const stale: string[] = [];
  for (const name of names) {
    const last = [...st.verification].reverse().find((v) => v.name === name);
    if (last && last.after_writes === loop.tracker.writes && last.passed) results.push(last);
    else stale.push(name);
  }
  results.push(...(await loop.verify(task, stale)));
  results.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
  const failed = results.filter((r) => !r.passed);
  if (failed.length) return block('verification-failed', `claimed done but its verification fails: ${failed.map(failure).join(', ')}`, results);

  st.status = 'done';
  delete st.block;
  st.evidence = await recordEvidence(loop, task, results, step);
  let linked: string | undefined;
  if (task.tasks_md) {
    const text = markedDone(loop.layout, loop.run.ch_id, task.tasks_md, st.evidence);
    if (text !== undefined) {
      await loop.write(tasksMdRel(loop.run.ch_id), Buffer.from(text, 'utf8'), task.id, step, false);
      linked = task.tasks_md;
      st.marked = linked;
    }
  }
  await loop.audit('implementer.verdict_pass', { task: task.id, files, verification: results.map(brief), ...(linked ? { tasks_md: linked } : {}), evidence: st.evidence });
  loop.emit({ kind: 'task', task: task.id, state: 'done', files });
  return true;

  async function block(reason: BlockReason, what: string, verification: Verification[]): Promise<boolean> {
    st.status = 'blocked';
    st.block = reason;
    // The run folder is ephemeral (kept while the run is failed): the tasks.md task and the files changed outlive it.
    const durable = [...(task.tasks_md ? [`tasks.md#${task.tasks_md}`] : []), ...files];
    const id = await loop.concern(`implementer ${loop.label}: ${task.id} (${excerpt(task.title, 80)}) ${what} — not marked done`, [loop.folder.fileRel(`state.json#${task.id}`), ...durable]);
    st.concern = id;
    await loop.audit('implementer.verdict_block', { task: task.id, reason, files, verification: verification.map(brief), concern_id: id });
    loop.emit({ kind: 'task', task: task.id, state: 'blocked', files, reason, concern: `${loop.run.ch_id}/${id}` });
    return false;
  }
}
