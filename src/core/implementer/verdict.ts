import { excerpt } from '../model/toolCalls';
import { resolveTaskConcerns } from '../tasks/taskConcerns';
import { withTaskLock } from '../tasks/taskWork';
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
  const evidence = await recordEvidence(loop, task, results, step);
  st.evidence = evidence;
  const done = task.tasks_md ? await markDone(loop, task, task.tasks_md, evidence, step) : undefined;
  const linked = done ? task.tasks_md : undefined;
  if (linked) st.marked = linked;
  await loop.audit('implementer.verdict_pass', { task: task.id, files, verification: results.map(brief), ...(linked ? { tasks_md: linked } : {}), evidence });
  // Done with evidence answers the concerns that said this tasks.md task was not (as `task done` resolves them).
  const resolved = linked && done ? await resolveTaskConcerns(loop.concernContext, loop.run.ch_id, linked, done, `${linked} done by implementer ${loop.label} (${task.id}) with ${evidence}`) : [];
  loop.emit({ kind: 'task', task: task.id, state: 'done', files, ...(resolved.length ? { resolved: resolved.map((c) => `${loop.run.ch_id}/${c}`) } : {}) });
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

/**
 * Marks tasks.md task `id` done with its evidence link, under the tasks lock that `task
 * start`, `task stop` and `task done` hold, so none of them loses the other's edit. Returns
 * the ids of the tasks done in tasks.md then; undefined when the task is no longer open there
 * (finished or dropped by someone else meanwhile): nothing is written.
 */
async function markDone(loop: RunLoop, task: RunTask, id: string, evidence: string, step: number): Promise<Set<string> | undefined> {
  const chId = loop.run.ch_id;
  return withTaskLock(loop.layout, chId, async () => {
    const marked = markedDone(loop.layout, chId, id, evidence);
    if (!marked) return undefined;
    await loop.write(tasksMdRel(chId), Buffer.from(marked.text, 'utf8'), task.id, step, false);
    return new Set(marked.done);
  });
}
