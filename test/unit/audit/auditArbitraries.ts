/** fast-check arbitraries of valid audit event inputs, for the property tests. */
import fc from 'fast-check';
import type { Actor, AuditEventInput, AuditEventType } from '../../../src/core/schema/audit';

/** Characters that are hard on a JSON/UTF-8 log: escapes, separators, U+FFFD, astral and lone surrogates. */
const TRICKY = ['\uFFFD', '\n', '\r', '"', '\\', '\u2028', '\u2029', '\u0000', '\u001f', '\u007f', 'é', '\u00A0', '😀', '\ud800', '\udfff', '{', '}'];

/** Any Unicode text, biased towards the tricky characters. */
export const text: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom(...TRICKY) },
  ),
  maxLength: 16,
});
/** Plain objects, as JSON.parse makes them (fast-check may otherwise build null-prototype ones). */
const PLAIN = { noNullPrototype: true } as const;
const nonEmpty = text.filter((s) => s.length > 0);
const texts = fc.array(text, { maxLength: 3 });
const taskId = fc.constantFrom('T-001', 'T-003', 'T-1000');
const commandOutcome = fc.record({ name: text, exit: fc.option(fc.integer({ min: -255, max: 255 }), { nil: null }), timed_out: fc.boolean() }, PLAIN);

const payloads: { [T in AuditEventType]: fc.Arbitrary<AuditEventInput<T>['payload']> } = {
  command: fc.record(
    { name: text, args: texts, cwd: text, outcome: fc.constantFrom('ok' as const, 'error' as const), exit_code: fc.integer({ min: -255, max: 255 }), error: text },
    { requiredKeys: ['name', 'args', 'cwd', 'outcome', 'exit_code'], noNullPrototype: true },
  ),
  'project.initialized': fc.record({ written: texts, kept: texts, upgraded: texts, backups: texts }, PLAIN),
  'change.created': fc.record({ title: text, origin: text, file: text, hash: text }, PLAIN),
  'change.updated': fc.record({ fields: texts, file: text, hash: text }, PLAIN),
  'change.activated': fc.record({ branch: text }, { requiredKeys: [], noNullPrototype: true }),
  'concern.raised': fc.record({ concern_id: text, source: text, severity: fc.constantFrom('low' as const, 'medium' as const, 'high' as const, 'critical' as const), summary: text, evidence: texts }, PLAIN),
  'concern.acknowledged': fc.record({ concern_id: text, note: text }, { requiredKeys: ['concern_id'], noNullPrototype: true }),
  'concern.resolved': fc.record({ concern_id: text, note: text }, { requiredKeys: ['concern_id'], noNullPrototype: true }),
  'concern.assigned': fc.record({ concern_id: text, assignee: text }, PLAIN),
  'approval.recorded': fc.record(
    { stage: text, sub_scope: text, decision: fc.constantFrom('approved' as const, 'denied' as const), note: text, artifacts: fc.dictionary(text, text, { maxKeys: 3, noNullPrototype: true }), concern_id: text },
    { requiredKeys: ['stage', 'decision', 'artifacts'], noNullPrototype: true },
  ),
  'drift.reconciled': fc.record(
    {
      key: text,
      kind: text,
      action: fc.constantFrom('regenerate' as const, 're-approve' as const, 'attach' as const, 'capture' as const, 'accept' as const),
      fingerprint: text,
      note: text,
      result: fc.array(text, { maxLength: 3 }),
    },
    { requiredKeys: ['key', 'kind', 'action', 'fingerprint', 'result'], noNullPrototype: true },
  ),
  'agent.handoff': fc.record(
    { from: text, to: text, stage: text, role: text, seed: fc.integer(), run_id: text, artifacts: fc.dictionary(text, text, { maxKeys: 3, noNullPrototype: true }) },
    { requiredKeys: ['from', 'to', 'stage', 'role', 'seed', 'artifacts'], noNullPrototype: true },
  ),
  'artifact.derived': fc.record(
    {
      artifact: text,
      action: fc.constantFrom('created' as const, 'refreshed' as const, 'unchanged' as const),
      hash: text,
      derived_from: fc.dictionary(text, text, { maxKeys: 3, noNullPrototype: true }),
      tasks: fc.record({ kept: fc.nat(), added: fc.nat(), dropped: fc.nat() }, PLAIN),
    },
    { requiredKeys: ['artifact', 'action', 'hash', 'derived_from'], noNullPrototype: true },
  ),
  'change.captured': fc.record(
    {
      evidence: text,
      source: fc.constantFrom('range' as const, 'staged' as const, 'working' as const),
      range: text,
      base: text,
      to: text,
      commits: texts,
      files: fc.nat(),
      diff_sha256: text,
      claimed_by_others: fc.array(fc.constantFrom('CH-001', 'CH-012', 'CH-1000'), { maxLength: 2 }),
    },
    { requiredKeys: ['evidence', 'source', 'base', 'commits', 'files', 'diff_sha256', 'claimed_by_others'], noNullPrototype: true },
  ),
  'change.impact_written': fc.record(
    { file: text, hash: text, suggested_risk_tier: fc.constantFrom('low' as const, 'medium' as const, 'high' as const, 'critical' as const), conflicts: fc.array(fc.constantFrom('CH-002', 'CH-999'), { maxLength: 2 }) },
    PLAIN,
  ),
  'views.written': fc.record({ written: fc.array(fc.record({ file: text, hash: text }, PLAIN), { minLength: 1, maxLength: 3 }), unchanged: texts }, PLAIN),
  'analysis.recorded': fc.record(
    {
      command: fc.constantFrom('analyze' as const, 'checklist' as const, 'clarify' as const),
      status: fc.constantFrom('pass' as const, 'findings' as const),
      counts: fc.record({ error: fc.nat(), warning: fc.nat(), note: fc.nat() }, PLAIN),
      inputs: fc.dictionary(text, text, { maxKeys: 3, noNullPrototype: true }),
      outputs: fc.dictionary(text, text, { maxKeys: 3, noNullPrototype: true }),
      checklist: fc.record({ done: fc.nat(), total: fc.nat() }, PLAIN),
      answered: fc.record({ question: text, file: text, line: fc.integer({ min: 1, max: 100_000 }) }, PLAIN),
    },
    { requiredKeys: ['command', 'status', 'counts', 'inputs', 'outputs'], noNullPrototype: true },
  ),
  'retention.deleted': fc.record(
    {
      run: text,
      ch_id: fc.constantFrom('CH-001', 'CH-012', 'CH-1000'),
      run_id: text,
      status: fc.constantFrom('running' as const, 'succeeded' as const, 'failed' as const, 'aborted' as const, 'invalid' as const),
      reason: fc.constantFrom('success-ttl' as const, 'failed-ttl' as const, 'size-cap' as const, 'interrupted' as const),
      detail: text,
      bytes: fc.nat(),
      concern: text,
    },
    { requiredKeys: ['run', 'ch_id', 'status', 'reason', 'detail', 'bytes'], noNullPrototype: true },
  ),
  'retention.retained': fc.record({ run: text, run_id: text, marker: text }, { requiredKeys: ['run', 'marker'], noNullPrototype: true }),
  'retention.released': fc.record({ run: text, run_id: text, marker: text }, { requiredKeys: ['run', 'marker'], noNullPrototype: true }),
  'task.started': fc.record({ task: taskId, file: text, hash: text, baseline: text, head: text, parallel: fc.boolean() }, { requiredKeys: ['task', 'file', 'hash', 'baseline', 'parallel'], noNullPrototype: true }),
  'task.completed': fc.record(
    {
      task: taskId,
      evidence: text,
      file: text,
      hash: text,
      baseline: text,
      tree: text,
      files: fc.nat(),
      diff_sha256: text,
      verification: fc.constantFrom('passed' as const, 'unverified' as const, 'skipped' as const),
      commands: fc.array(commandOutcome, { maxLength: 2 }),
    },
    PLAIN,
  ),
  'task.blocked': fc.record(
    {
      task: taskId,
      reason: fc.constantFrom('no-changes' as const, 'verification-failed' as const, 'unverified' as const),
      concern_id: text,
      baseline: text,
      files: fc.nat(),
      failed: fc.array(commandOutcome, { maxLength: 2 }),
    },
    PLAIN,
  ),
  'task.stopped': fc.record({ task: taskId, file: text, hash: text }, PLAIN),
  'implementer.step_started': fc.record({ step: fc.integer({ min: 1, max: 1000 }), kind: fc.constantFrom('plan' as const, 'task' as const), task: text }, { requiredKeys: ['step', 'kind'], noNullPrototype: true }),
  'implementer.step_finished': fc.record(
    {
      step: fc.integer({ min: 1, max: 1000 }),
      kind: fc.constantFrom('plan' as const, 'task' as const),
      task: text,
      outcome: fc.constantFrom('planned' as const, 'plan-invalid' as const, 'tool-calls' as const, 'done' as const, 'blocked' as const, 'cancelled' as const, 'error' as const),
      tool_calls: texts,
    },
    { requiredKeys: ['step', 'kind', 'outcome', 'tool_calls'], noNullPrototype: true },
  ),
  'implementer.task_generated': fc.record(
    { task: text, index: fc.integer({ min: 1, max: 50 }), count: fc.integer({ min: 1, max: 50 }), title: text, files: texts, verify: texts, tasks_md: text, tasks_hash: text },
    { requiredKeys: ['task', 'index', 'count', 'title', 'files', 'verify', 'tasks_hash'], noNullPrototype: true },
  ),
  'implementer.file_changed': fc.record(
    { task: text, path: text, action: fc.constantFrom('created' as const, 'modified' as const), sha256: text, before: text },
    { requiredKeys: ['task', 'path', 'action', 'sha256'], noNullPrototype: true },
  ),
  'implementer.test_added': fc.record({ task: text, path: text, sha256: text }, PLAIN),
  'implementer.verdict_pass': fc.record(
    {
      task: text,
      files: texts,
      verification: fc.array(fc.record({ name: text, exit: fc.option(fc.integer({ min: -255, max: 255 }), { nil: null }), timed_out: fc.boolean(), passed: fc.boolean() }, PLAIN), { maxLength: 2 }),
      tasks_md: text,
      evidence: text,
    },
    { requiredKeys: ['task', 'files', 'verification'], noNullPrototype: true },
  ),
  'implementer.verdict_block': fc.record(
    {
      task: text,
      reason: fc.constantFrom('no-changes' as const, 'verification-failed' as const, 'no-verification' as const),
      files: texts,
      verification: fc.array(fc.record({ name: text, exit: fc.option(fc.integer({ min: -255, max: 255 }), { nil: null }), timed_out: fc.boolean(), passed: fc.boolean() }, PLAIN), { maxLength: 2 }),
      concern_id: text,
    },
    PLAIN,
  ),
  'implementer.aborted': fc.record(
    { run: text, restored: texts, deleted: texts, kept: fc.array(fc.record({ path: text, reason: text }, PLAIN), { maxLength: 2 }), withdrawn: texts, unmarked: fc.array(taskId, { maxLength: 2 }) },
    PLAIN,
  ),
  'tests.ran': fc.record(
    {
      results: text,
      sha256: text,
      policy_hash: text,
      commands: fc.array(
        fc.record(
          {
            name: text,
            exit: fc.option(fc.integer({ min: -255, max: 255 }), { nil: null }),
            signal: text,
            timed_out: fc.boolean(),
            duration_ms: fc.nat(),
            counts: fc.record({ tests: fc.nat(), passed: fc.nat(), failed: fc.nat(), skipped: fc.nat() }, PLAIN),
          },
          { requiredKeys: ['name', 'exit', 'timed_out', 'duration_ms'], noNullPrototype: true },
        ),
        { maxLength: 3 },
      ),
    },
    PLAIN,
  ),
  'qa.verdict': fc.record(
    {
      verdict: fc.constantFrom('PASS' as const, 'CONCERNS' as const, 'FAIL' as const, 'WAIVED' as const),
      reasons: texts,
      policy_hash: text,
      report: text,
      waived: fc.constantFrom('CONCERNS' as const, 'FAIL' as const),
      concern_id: text,
    },
    { requiredKeys: ['verdict', 'reasons', 'policy_hash'], noNullPrototype: true },
  ),
  'audit.repaired': fc.record(
    { stream: text, torn_line: fc.nat(), torn_bytes: fc.nat(), torn_sha256: text, moved_to: text, head_fixed: fc.boolean() },
    { requiredKeys: ['stream', 'head_fixed'], noNullPrototype: true },
  ),
};

const actor: fc.Arbitrary<Actor> = fc.record({ kind: fc.constantFrom('human' as const, 'agent' as const), id: nonEmpty, role: nonEmpty }, PLAIN);

/** A valid input of a random type; `chIds` are the change ids to pick from (undefined: the project stream). */
export function eventInput(chIds: ReadonlyArray<string | undefined>): fc.Arbitrary<AuditEventInput> {
  const byType = (Object.keys(payloads) as AuditEventType[]).map((type) =>
    fc.record(
      { type: fc.constant(type), payload: payloads[type] as fc.Arbitrary<AuditEventInput['payload']>, ch_id: fc.constantFrom(...chIds), actor, run_id: nonEmpty, correlation_id: nonEmpty },
      { requiredKeys: ['type', 'payload', 'ch_id', 'actor', 'correlation_id'], noNullPrototype: true },
    ),
  );
  return fc.oneof(...byType).map(({ ch_id, ...rest }) => (ch_id === undefined ? rest : { ...rest, ch_id }) as AuditEventInput);
}

/** A clock time between 2000 and 2099 (the envelope's ts must be a plain ISO datetime). */
export const isoTime: fc.Arbitrary<string> = fc
  .date({ min: new Date('2000-01-01T00:00:00.000Z'), max: new Date('2099-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** A mutation byte: mostly uniform, sometimes one that is special to JSON or UTF-8. */
export const byteChoice = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delta' as const), value: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('byte' as const), value: fc.constantFrom(0x0a, 0x0d, 0x20, 0x22, 0x2c, 0x30, 0x31, 0x3a, 0x5c, 0x7b, 0x7d, 0x80, 0xbf, 0xc3, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xff) }, PLAIN) },
);

/** Where to change a byte: anywhere, or at a byte class where damage is most subtle. */
export const offsetFocus = fc.constantFrom('any' as const, 'newline' as const, 'non-ascii' as const, 'utf8-lead' as const, 'structural' as const);
