import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { formatTask, formatTasks, parseTasks, tasksOf, TASK_STATES, type Task } from '../../../src/core/artifacts/tasksFormat';

const sample = [
  '# CH-001 tasks',
  '',
  '- [ ] T-001 Write the limiter (files: src/auth/limiter.ts) (src: plan)',
  '- [~] T-002 [P] Add the lockout test (files: test/a.ts, test/b.ts) (deps: T-001)',
  '- [x] T-003 Wire config (evidence: evidence.json#T-003)',
  '- [-] T-004 Old idea (src: spec)',
  'Some prose (files: not-a-task)',
].join('\n');

describe('tasks.md format', () => {
  it('parses every field and keeps other lines verbatim', () => {
    const parsed = parseTasks(sample);
    assert.deepEqual(parsed.problems, []);
    const tasks = tasksOf(parsed);
    assert.deepEqual(tasks.map((t) => [t.id, t.state, t.parallel]), [['T-001', 'todo', false], ['T-002', 'doing', true], ['T-003', 'done', false], ['T-004', 'dropped', false]]);
    assert.deepEqual(tasks[1]?.files, ['test/a.ts', 'test/b.ts']);
    assert.deepEqual(tasks[1]?.deps, ['T-001']);
    assert.equal(tasks[2]?.evidence, 'evidence.json#T-003');
    assert.equal(tasks[0]?.src, 'plan');
    assert.equal(formatTasks(parsed.lines), sample);
  });

  it('reports a malformed line with its number and still parses the rest', () => {
    const text = '- [ ] T-001 ok\n- [?] T-002 bad box\n- [ ] missing id\n- [ ] T-003 fine (deps: 7)\n- [ ] T-001 again';
    const parsed = parseTasks(text);
    assert.deepEqual(parsed.problems.map((p) => p.line), [2, 3, 4, 5]);
    assert.match(parsed.problems[2]?.message ?? '', /depends on "7"/);
    assert.match(parsed.problems[3]?.message ?? '', /used twice \(first on line 1\)/);
    assert.deepEqual(tasksOf(parsed).map((t) => t.id), ['T-001', 'T-003', 'T-001']);
    assert.equal(formatTasks(parsed.lines), text, 'malformed lines are kept, not lost');
  });

  it('text with parentheses stays text', () => {
    const [t] = tasksOf(parseTasks('- [ ] T-001 Handle f(x) (the edge case) (files: a.ts)'));
    assert.equal(t?.text, 'Handle f(x) (the edge case)');
    assert.deepEqual(t?.files, ['a.ts']);
  });

  it('round-trips any task: parse(format(t)) gives t back', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_./-]{1,12}$/);
    const taskArb: fc.Arbitrary<Task> = fc.record({
      id: fc.integer({ min: 1, max: 5000 }).map((n) => `T-${String(n).padStart(3, '0')}`),
      state: fc.constantFrom(...TASK_STATES),
      parallel: fc.boolean(),
      text: fc.stringMatching(/^[^\n\r()]{0,30}$/).map((s) => `Do ${s}`.trim()),
      files: fc.array(word, { maxLength: 3 }),
      deps: fc.array(fc.integer({ min: 1, max: 999 }).map((n) => `T-${String(n).padStart(3, '0')}`), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(taskArb, fc.option(word, { nil: undefined }), fc.option(fc.constantFrom('spec', 'plan'), { nil: undefined }), (base, evidence, src) => {
        const t: Task = { ...base, ...(evidence ? { evidence } : {}), ...(src ? { src } : {}) };
        const parsed = parseTasks(formatTask(t));
        assert.deepEqual(parsed.problems, []);
        assert.deepEqual(tasksOf(parsed)[0], t);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
