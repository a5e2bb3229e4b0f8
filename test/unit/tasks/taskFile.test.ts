import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { isDfError } from '../../../src/core/errors';
import { findTask, parseTaskId, parseTasksDoc, withTaskState } from '../../../src/core/tasks/taskFile';
import { describeUnmet, nextReady, unmetDeps } from '../../../src/core/tasks/taskGraph';

const FILE = 'changes/CH-001/tasks.md';
const FRONT = '---\ndynaforge:\n  artifact: tasks\n  change: CH-001\n  derived_from:\n    plan.md: ' + 'a'.repeat(64) + '\n---\n';

/** The lines of `after` that differ from `before` (same line count asserted), as [index, before, after]. */
function changedLines(before: string, after: string): [number, string, string][] {
  const a = before.split('\n');
  const b = after.split('\n');
  assert.equal(b.length, a.length, 'the number of lines is kept');
  return a.flatMap((l, i) => (l === b[i] ? [] : [[i, l, b[i] as string] as [number, string, string]]));
}

describe('tasks: tasks.md edits and dependencies', () => {
  it('reads task ids the way people type them', () => {
    assert.equal(parseTaskId('T-003'), 'T-003');
    assert.equal(parseTaskId('t-3'), 'T-003');
    assert.equal(parseTaskId(' 12 '), 'T-012');
    assert.equal(parseTaskId('T-0042'), 'T-0042', 'an id written with more digits is kept as written');
    assert.equal(parseTaskId('T-1000'), 'T-1000');
    for (const bad of ['', 'T-', 'task 3', 'CH-001', '--x', '3a']) {
      assert.throws(() => parseTaskId(bad), (e: unknown) => isDfError(e) && e.code === 'usage' && /is not a task id/.test(e.message), bad);
    }
  });

  it('numbers task lines and problems from the top of the file, front matter included', () => {
    const doc = parseTasksDoc(`${FRONT}# Tasks\n\n- [ ] T-001 One\n- [?] T-002 broken\n`, FILE);
    assert.equal(doc.tasks[0]?.line, 10);
    assert.deepEqual(doc.problems.map((p) => p.line), [11]);
    assert.throws(() => findTask(doc, 'T-002'), /has no task T-002 \(it has T-001\)/);
  });

  it('sets one box and keeps every other byte: front matter, CRLF line ends, odd spacing, other tasks, the rest of the line', () => {
    const text = `${FRONT}# Tasks\r\n\r\n- [ ] T-001 First  thing (files: a.ts,b.ts) (src: plan)\r\n- [x] T-002 [P] Done already (evidence: evidence.json#E-1)\r\n-  [ ] not a task\r\n- [ ] T-003 Last (deps: T-001)`;
    const doc = parseTasksDoc(text, FILE);
    const doing = withTaskState(doc, 'T-001', 'doing');
    assert.deepEqual(changedLines(text, doing), [[9, '- [ ] T-001 First  thing (files: a.ts,b.ts) (src: plan)\r', '- [~] T-001 First  thing (files: a.ts,b.ts) (src: plan)\r']]);
    assert.ok(doing.startsWith(FRONT), 'front matter untouched');

    const done = withTaskState(parseTasksDoc(doing, FILE), 'T-001', 'done', 'evidence.json#E-2');
    assert.deepEqual(changedLines(doing, done), [[9, '- [~] T-001 First  thing (files: a.ts,b.ts) (src: plan)\r', '- [x] T-001 First  thing (files: a.ts,b.ts) (evidence: evidence.json#E-2) (src: plan)\r']], 'evidence goes before (src: …), as the format orders it');

    const last = withTaskState(doc, 'T-003', 'done', 'evidence.json#E-3');
    assert.ok(last.endsWith('- [x] T-003 Last (deps: T-001) (evidence: evidence.json#E-3)'), 'no newline appears at the end of a file that had none');
    const again = withTaskState(parseTasksDoc(last, FILE), 'T-003', 'done', 'evidence.json#E-4');
    assert.ok(again.endsWith('- [x] T-003 Last (deps: T-001) (evidence: evidence.json#E-4)'), 'an existing (evidence: …) is replaced, not repeated');
    const back = withTaskState(parseTasksDoc(done, FILE), 'T-001', 'todo');
    assert.ok(back.includes('- [ ] T-001 First  thing (files: a.ts,b.ts) (evidence: evidence.json#E-2) (src: plan)\r'));
  });

  it('property: an edit changes exactly the one task line, whatever surrounds it', () => {
    // Lines of any text (no newline) that are not tasks, around one task line; none opens front matter.
    const line = fc.string({ maxLength: 30 }).filter((s) => !s.includes('\n') && !/^\s*-\s*\[/.test(s) && !s.startsWith('---'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), fc.array(line, { maxLength: 6 }), fc.boolean(), fc.constantFrom('todo' as const, 'doing' as const, 'done' as const, 'dropped' as const), (head, tail, crlf, state) => {
        const eol = crlf ? '\r' : '';
        const task = `- [ ] T-007 Do it (files: x.ts) (deps: T-001)${eol}`;
        const text = [...head.map((l) => l + eol), task, ...tail.map((l) => l + eol)].join('\n');
        const doc = parseTasksDoc(text, FILE);
        const out = withTaskState(doc, 'T-007', state, state === 'done' ? 'evidence.json#E-9' : undefined);
        const diff = changedLines(text, out);
        if (state === 'todo') return diff.length === 0;
        const edited = parseTasksDoc(out, FILE).tasks.find((t) => t.id === 'T-007');
        return diff.length === 1 && diff[0]?.[0] === head.length && edited?.state === state && edited.text === 'Do it' && edited.deps[0] === 'T-001' && (state !== 'done' || edited.evidence === 'evidence.json#E-9');
      }),
      { numRuns: 200 },
    );
  });

  it('treats done and dropped dependencies as met, and missing or unfinished ones as not', () => {
    const doc = parseTasksDoc(['- [x] T-001 a', '- [-] T-002 b', '- [~] T-003 c', '- [ ] T-004 d (deps: T-001, T-002)', '- [ ] T-005 e (deps: T-003, T-009)', '- [ ] T-006 f (deps: T-004)'].join('\n'), FILE);
    const t = (id: string) => findTask(doc, id);
    assert.deepEqual(unmetDeps(t('T-004'), doc.tasks), []);
    assert.deepEqual(unmetDeps(t('T-005'), doc.tasks), [
      { id: 'T-003', state: 'doing' },
      { id: 'T-009', state: 'missing' },
    ]);
    assert.equal(describeUnmet(unmetDeps(t('T-005'), doc.tasks)), 'T-003 (doing), T-009 (not in tasks.md)');
    assert.equal(nextReady(doc.tasks)?.id, 'T-004', 'the first todo task whose dependencies are met, in file order');
    const later = parseTasksDoc(['- [~] T-001 a', '- [ ] T-002 b (deps: T-001)'].join('\n'), FILE);
    assert.equal(nextReady(later.tasks), undefined, 'nothing is ready while its only dependency is in progress');
  });
});
