import { strict as assert } from 'node:assert';
import { mergeTasks, seedTasks } from '../../../src/core/artifacts/deriveTasks';
import { formatTasks, parseTasks, tasksOf } from '../../../src/core/artifacts/tasksFormat';

const spec = '# Spec\n### FR-1: Limit attempts\ntext\n## FR-2 Lockout\n';
const plan = '# Plan\n## Approach\n- Add a token bucket\n1. Wire it into login\n<!-- comment -->\n## Risks\n- not a task\n## Verification\n- Lockout after 5 tries\n';

describe('task derivation (template mode)', () => {
  it('derives one task per FR heading, approach bullet and verification bullet, in order', () => {
    assert.deepEqual(seedTasks(spec, plan), [
      { text: 'Implement FR-1: Limit attempts', src: 'spec' },
      { text: 'Implement FR-2: Lockout', src: 'spec' },
      { text: 'Add a token bucket', src: 'plan' },
      { text: 'Wire it into login', src: 'plan' },
      { text: 'Verify: Lockout after 5 tries', src: 'plan' },
    ]);
  });

  it('an update keeps ids and states of unchanged tasks, drops removed ones, adds new ones, never touches hand-written tasks', () => {
    const first = mergeTasks(parseTasks('# Tasks\n').lines, seedTasks(spec, plan));
    assert.deepEqual([first.kept, first.added, first.dropped], [0, 5, 0]);
    // Work happens: T-001 done, T-003 doing; a person adds a task of their own.
    const worked = formatTasks(first.lines)
      .replace('- [ ] T-001', '- [x] T-001')
      .replace('- [ ] T-003', '- [~] T-003')
      .concat('\n- [ ] T-009 Ask security for a review');
    // The spec loses FR-2, the plan changes one bullet.
    const spec2 = '### FR-1: Limit attempts\n### FR-3: Audit failed logins\n';
    const plan2 = plan.replace('Add a token bucket', 'Add a sliding window');
    const second = mergeTasks(parseTasks(worked).lines, seedTasks(spec2, plan2));
    const byText = new Map(tasksOf({ lines: second.lines, problems: [] }).map((t) => [t.text, t]));
    assert.equal(byText.get('Implement FR-1: Limit attempts')?.state, 'done', 'done work is kept');
    assert.equal(byText.get('Implement FR-1: Limit attempts')?.id, 'T-001', 'same text, same id');
    assert.equal(byText.get('Implement FR-2: Lockout')?.state, 'dropped', 'removed: dropped, not deleted');
    assert.equal(byText.get('Add a token bucket')?.state, 'dropped', 'the doing task is dropped too, and still there');
    assert.equal(byText.get('Ask security for a review')?.state, 'todo', 'hand-written task untouched');
    assert.equal(byText.get('Implement FR-3: Audit failed logins')?.id, 'T-010', 'new ids continue after the highest');
    assert.equal(byText.get('Add a sliding window')?.id, 'T-011');
    assert.deepEqual([second.kept, second.added, second.dropped], [3, 2, 2]);
  });

  it('is idempotent: deriving again from the same sources changes nothing', () => {
    const once = formatTasks(mergeTasks(parseTasks('# T\n').lines, seedTasks(spec, plan)).lines);
    const twice = formatTasks(mergeTasks(parseTasks(once).lines, seedTasks(spec, plan)).lines);
    assert.equal(twice, once);
  });
});
