import type { ImplementerEvidence } from '../schema/evidence';
import { recordTaskEvidence } from '../tasks/taskEvidence';
import { evidenceFiles, evidenceGit } from './evidenceFiles';
import type { RunLoop } from './loop';
import type { RunTask, Verification } from './runState';

/**
 * Records the evidence of a task the Implementer finished in the change's evidence.json, the
 * way `task done` records a person's (recordTaskEvidence): the files it changed, the
 * verification that passed after its last write, the run and the step. Returns its reference,
 * `evidence.json#E-n`, which tasks.md and CHANGE_SUMMARY.md link: unlike the run folder,
 * retention never deletes it.
 */
export async function recordEvidence(loop: RunLoop, task: RunTask, passed: readonly Verification[], step: number): Promise<string> {
  const { ws, run } = loop;
  const git = await evidenceGit(ws);
  const r = await recordTaskEvidence<ImplementerEvidence>(ws, run.ch_id, {
    kind: 'implementer-task',
    captured_at: loop.now(),
    ...(task.tasks_md ? { task: task.tasks_md } : {}),
    source: { kind: 'implementer', run_id: run.run_id, run: run.n, task: task.id, step, base: git.base },
    commits: [],
    files: await evidenceFiles(git, loop.tracker, ws.layout.root, loop.tracker.changesBy(task.id)),
    verification: {
      status: 'passed',
      commands: passed.map((v) => ({ name: v.name, command: loop.tests.find((t) => t.name === v.name)?.command ?? '', exit: v.exit, timed_out: v.timed_out, ...(v.counts ? { counts: v.counts } : {}) })),
    },
  });
  await loop.audit('change.updated', r.changeUpdated);
  return r.ref;
}
