import { strict as assert } from 'node:assert';
import { isDfError } from '../../../src/core/errors';
import type { CommandResult } from '../../../src/core/tester/runner';
import { commandPassed, describeFailure, planVerification, runVerification, type TestCommand } from '../../../src/core/tasks/verification';
import { tailOf } from '../../../src/core/tasks/taskDone';
import { tempDir } from '../core/tempRepo';

const test = (name: string, command: string): TestCommand => ({ name, command, cwd: '.', timeout_s: 30 });
const result = (over: Partial<CommandResult>): CommandResult => ({ name: 'unit', command: 'npm test', cwd: '.', exit: 0, timed_out: false, duration_ms: 5, output_tail: '', ...over });

describe('tasks: verification by the declared test commands', () => {
  it('plans all declared tests, the ones named, none when none are declared, or an explicit skip', () => {
    const tests = [test('unit', 'true'), test('lint', 'true')];
    assert.deepEqual(planVerification(tests, {}), { kind: 'run', tests });
    assert.deepEqual(planVerification(tests, { only: ['lint'] }), { kind: 'run', tests: [tests[1]] });
    assert.deepEqual(planVerification([], {}), { kind: 'none-declared' });
    assert.deepEqual(planVerification(tests, { noVerify: true }), { kind: 'skipped' });
    const usage = (re: RegExp) => (e: unknown) => isDfError(e) && e.exitCode === 2 && re.test(e.message);
    assert.throws(() => planVerification(tests, { only: ['e2e'] }), usage(/--verify e2e: no such test/));
    assert.throws(() => planVerification([], { only: ['unit'] }), usage(/declares no tests\[\]/));
    assert.throws(() => planVerification(tests, { only: ['unit'], noVerify: true }), usage(/contradict/));
  });

  it('passes a command only when it exits 0 in time with no failed test in its report', () => {
    assert.equal(commandPassed(result({})), true);
    assert.equal(commandPassed(result({ exit: 1 })), false);
    assert.equal(commandPassed(result({ exit: null, signal: 'SIGKILL', timed_out: true })), false);
    assert.equal(commandPassed(result({ counts: { tests: 3, passed: 2, failed: 1, skipped: 0 } })), false);
    assert.equal(describeFailure(result({ exit: 3 })), 'unit (exit 3)');
    assert.equal(describeFailure(result({ exit: null, timed_out: true }), 600), 'unit (timed out after 600s)');
    assert.equal(describeFailure(result({ counts: { tests: 3, passed: 2, failed: 1, skipped: 0 } })), 'unit (1 failed test in its report)');
  });

  it('runs every planned command for real and reports each failure with its output', async () => {
    const t = tempDir('df-verify-');
    try {
      const outcome = await runVerification(t.dir, { kind: 'run', tests: [test('ok', 'echo fine'), test('bad', 'echo "expected 2 got 3" >&2; exit 3'), test('after', 'true')] });
      assert.deepEqual(outcome.results.map((r) => [r.name, r.exit]), [['ok', 0], ['bad', 3], ['after', 0]], 'a failure does not stop the others');
      assert.deepEqual(outcome.failed.map((r) => r.name), ['bad']);
      assert.match(outcome.failed[0]?.output_tail ?? '', /expected 2 got 3/);
      assert.deepEqual(outcome.verification.commands.map((c) => [c.name, c.command, c.exit, c.timed_out]), [['ok', 'echo fine', 0, false], ['bad', 'echo "expected 2 got 3" >&2; exit 3', 3, false], ['after', 'true', 0, false]]);
      assert.deepEqual((await runVerification(t.dir, { kind: 'none-declared' })).verification, { status: 'unverified', commands: [] });
      assert.deepEqual((await runVerification(t.dir, { kind: 'skipped' })).verification, { status: 'skipped', commands: [] });
    } finally {
      t.cleanup();
    }
  });

  it('quotes the last lines of a failed command, bounded', () => {
    const out = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    assert.equal(tailOf(`${out}\n\n`), Array.from({ length: 20 }, (_, i) => `line ${i + 30}`).join('\n'));
    assert.equal(tailOf(''), '(no output)');
    const long = tailOf('x'.repeat(10_000));
    assert.ok(long.length <= 2001 && long.startsWith('…'));
  });
});
