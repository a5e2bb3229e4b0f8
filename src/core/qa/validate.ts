import { join } from 'node:path';
import { recordDecision } from '../approvals/approvals';
import { prettyJson, sha256 } from '../canonical';
import { concernsOf, raiseConcern } from '../concerns/concerns';
import { DfError } from '../errors';
import { writeFileAtomicSync } from '../fs/atomic';
import { changeDir } from '../repo/layout';
import type { Change } from '../schema/change';
import { confinedPath } from '../tester/paths';
import { specPaths, type CommandResult, type CommandSpec } from '../tester/runner';
import { runTests } from '../tester/tester';
import type { Workspace } from '../workspace';
import { evaluatePolicy, type QaCheck } from './evaluate';
import { gatherFacts } from './facts';
import { policyHash, resolvePolicy } from './policy';
import { RESULTS_VERSION, renderQaReport, type TestResultsFile } from './report';

export const QA_REPORT_FILE = 'QA_REPORT.md';
/** Source of the concern a FAIL raises (one open concern per distinct failure, not one per run). */
export const VALIDATE_CONCERN_SOURCE = 'validate';

/** `tests/results/CH-###.json`, repository-relative. */
export function resultsFileOf(chId: string): string {
  return `tests/results/${chId}.json`;
}

export interface ValidateOptions {
  readonly correlationId: string;
  /** The environment of the test commands (the face's own). */
  readonly env?: NodeJS.ProcessEnv;
  /** Aborting kills the running command's process group; nothing is recorded. */
  readonly signal?: AbortSignal;
  readonly onStart?: (spec: CommandSpec) => void;
  readonly onResult?: (result: CommandResult) => void;
}

export interface ValidateResult {
  readonly change: Change;
  readonly results: TestResultsFile;
  readonly resultsFile: string;
  readonly reportFile: string;
  /** The concern a FAIL raised, or the open one it repeats. */
  readonly concernId?: string;
}

/**
 * `validate`: runs the declared test commands (the Tester), applies the QA policy for the
 * change's risk tier and maturity, writes tests/results/CH-###.json and QA_REPORT.md, records
 * the verdict in change.yaml `qa_verdict`, and appends `tests.ran` and `qa.verdict`. A FAIL
 * raises a concern naming what failed, unless an unresolved one says exactly that already.
 */
export async function validateChange(ws: Workspace, chId: string, opts: ValidateOptions): Promise<ValidateResult> {
  const change = ws.store.read(chId);
  if (change.status !== 'open') {
    throw new DfError('conflict', `${change.id} is ${change.status}: its verdict is history`, 'validate an open change, or open a new one for further work', { file: ws.store.relFile(change.id), field: 'status' });
  }
  const policy = resolvePolicy(ws.config, change);
  const hash = policyHash(policy);
  // Every path is checked before the first command runs: a bad entry must not leave half a run.
  for (const t of policy.commands) specPaths(ws.layout.root, t);
  confinedPath(ws.layout.root, policy.coverage_summary, 'qa.coverage_summary');

  const wallStart = Date.now();
  const commands = await runTests(ws.layout.root, policy.commands, {
    now: () => ws.clock.nowMs(),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onStart ? { onStart: opts.onStart } : {}),
    ...(opts.onResult ? { onResult: opts.onResult } : {}),
  });
  if (opts.signal?.aborted) throw new DfError('conflict', `validate of ${change.id} was interrupted: nothing was recorded`, `run \`dynaforge validate ${change.id}\` again`);

  const facts = await gatherFacts(ws, change, policy, commands, wallStart);
  const evaluation = evaluatePolicy(policy, facts);
  const actor = ws.actor('tester');
  const results: TestResultsFile = {
    version: RESULTS_VERSION,
    change: change.id,
    at: ws.clock.nowIso(),
    by: actor.id,
    verdict: evaluation.verdict,
    reasons: evaluation.reasons,
    checks: evaluation.checks,
    policy_hash: hash,
    policy,
    commands,
    ...(facts.coverage ? { coverage: facts.coverage } : {}),
    tests_changed: facts.testsChanged,
  };
  const resultsFile = resultsFileOf(change.id);
  const resultsText = prettyJson(results);
  writeFileAtomicSync(join(ws.layout.root, resultsFile), resultsText, resultsFile);
  const reportFile = ws.store.relFile(change.id, QA_REPORT_FILE);
  writeFileAtomicSync(join(changeDir(ws.layout, change.id), QA_REPORT_FILE), renderQaReport(results, resultsFile), reportFile);

  let concernId: string | undefined;
  if (evaluation.verdict === 'FAIL') {
    const summary = `QA verdict FAIL: ${evaluation.checks.filter((c: QaCheck) => c.outcome === 'fail').map((c) => c.detail).join('; ')}`;
    const same = concernsOf(ws.audit, change.id).find((c) => c.status !== 'resolved' && c.source === VALIDATE_CONCERN_SOURCE && c.summary === summary);
    concernId = same?.id ?? (await raiseConcern({ layout: ws.layout, audit: ws.audit, actor, correlationId: opts.correlationId }, change.id, { severity: 'medium', source: VALIDATE_CONCERN_SOURCE, summary, evidence: [resultsFile, reportFile] })).id;
  }

  const updated = await ws.store.update(change.id, (c) => ({ ...c, qa_verdict: { verdict: evaluation.verdict, reasons: [...evaluation.reasons], by: actor.id, at: results.at, policy_hash: hash } }));
  const base = { ch_id: change.id, actor, correlation_id: opts.correlationId };
  await ws.audit.appendMany([
    {
      ...base,
      type: 'tests.ran',
      payload: {
        results: resultsFile,
        sha256: sha256(resultsText),
        policy_hash: hash,
        commands: commands.map((r) => ({ name: r.name, exit: r.exit, ...(r.signal ? { signal: r.signal } : {}), timed_out: r.timed_out, duration_ms: r.duration_ms, ...(r.counts ? { counts: r.counts } : {}) })),
      },
    },
    { ...base, type: 'qa.verdict', payload: { verdict: evaluation.verdict, reasons: [...evaluation.reasons], policy_hash: hash, report: reportFile, ...(concernId ? { concern_id: concernId } : {}) } },
  ]);
  return { change: updated, results, resultsFile, reportFile, ...(concernId ? { concernId } : {}) };
}

export interface WaiveResult {
  readonly change: Change;
  /** The verdict set aside. */
  readonly waived: 'CONCERNS' | 'FAIL';
  readonly policyHash: string;
}

/**
 * `waive`: an approval with a justification. Records an approval of the validate stage by the
 * person at the keyboard (their git identity, required) with the justification as its note,
 * and sets `qa_verdict` to WAIVED with the justification as its reason and the policy hash.
 * Refused without a justification, without a verdict, when the verdict is PASS (nothing to
 * waive) or already WAIVED, and when the QA policy changed since the verdict.
 */
export async function waiveVerdict(ws: Workspace, chId: string, justification: string | undefined, correlationId: string): Promise<WaiveResult> {
  const note = justification?.replace(/\s+/g, ' ').trim();
  if (!note) throw new DfError('usage', 'a waiver needs a justification', `say why the verdict may be set aside: dynaforge waive ${chId} --note "…"`, { field: '--note' });
  const change = ws.store.read(chId);
  const last = change.qa_verdict;
  const file = ws.store.relFile(change.id);
  if (!last) throw new DfError('conflict', `${change.id} has no QA verdict to waive`, `run \`dynaforge validate ${change.id}\` first`, { file, field: 'qa_verdict' });
  if (last.verdict === 'PASS') throw new DfError('conflict', `${change.id}'s QA verdict is PASS: there is nothing to waive`, `go on: dynaforge approve ${change.id} --stage package`, { file, field: 'qa_verdict' });
  if (last.verdict === 'WAIVED') throw new DfError('conflict', `${change.id}'s QA verdict is already WAIVED${last.by ? ` by ${last.by}` : ''}`, `run \`dynaforge validate ${change.id}\` again for a fresh verdict`, { file, field: 'qa_verdict' });
  const hash = policyHash(resolvePolicy(ws.config, change));
  if (last.policy_hash && last.policy_hash !== hash) {
    throw new DfError('conflict', `the QA policy changed since ${change.id}'s ${last.verdict} verdict (${last.policy_hash.slice(0, 12)} then, ${hash.slice(0, 12)} now): a waiver must set aside a verdict reached under the rules in force`, `run \`dynaforge validate ${change.id}\` again, then waive what it finds`, { file, field: 'qa_verdict.policy_hash' });
  }
  const { approval } = await recordDecision(ws, { chId: change.id, stage: 'validate', decision: 'approved', note }, correlationId);
  const updated = await ws.store.update(change.id, (c) => ({ ...c, qa_verdict: { verdict: 'WAIVED', reasons: [note], by: approval.by, at: approval.at, policy_hash: hash } }));
  await ws.audit.append({
    type: 'qa.verdict',
    ch_id: change.id,
    actor: ws.actor('approver'),
    correlation_id: correlationId,
    payload: { verdict: 'WAIVED', reasons: [note], policy_hash: hash, waived: last.verdict },
  });
  return { change: updated, waived: last.verdict, policyHash: hash };
}
