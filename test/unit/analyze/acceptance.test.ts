import { strict as assert } from 'node:assert';
import { parseAcceptance } from '../../../src/core/analyze/acceptance';
import { listItems, parseDoc, sectionsNamed } from '../../../src/core/analyze/markdown';

describe('analyze: Markdown view and acceptance criteria', () => {
  it('numbers lines from the file, blanks comments (also across lines) and marks code fences', () => {
    const doc = parseDoc(['a <!-- x --> b', '<!-- open', 'still comment -->tail', '~~~', '# not a heading', '~~~', '## Real: heading ##'].join('\n'), 5);
    assert.deepEqual(
      doc.lines.map((l) => [l.n, l.text.trim(), l.prose]),
      [
        [5, 'a            b', true],
        [6, '', true],
        [7, 'tail', true],
        [8, '', false],
        [9, '', false],
        [10, '', false],
        [11, '## Real: heading ##', true],
      ],
    );
    assert.deepEqual(doc.sections.map((s) => [s.level, s.title]), [[2, 'Real: heading']]);
  });

  it('ends a section at the next heading of the same or a higher level', () => {
    const doc = parseDoc('# T\n## A\n### A.1\ntext\n## B\n');
    assert.deepEqual(doc.sections.map((s) => [s.title, s.at, s.end]), [['T', 0, 5], ['A', 1, 4], ['A.1', 2, 4], ['B', 4, 5]]);
  });

  it('folds continuation lines and sub-items into their top-level item', () => {
    const doc = parseDoc('## Acceptance Criteria:\n\n  - [x] first (TC-1)\n    more about it, TC-2\n    - a sub-item naming TC-3\n  - second\n\nnot an item\n');
    const [s] = sectionsNamed(doc, 'acceptance criteria');
    assert.ok(s, 'heading matched without case and trailing colon');
    assert.deepEqual(listItems(doc, s).map((i) => [i.text, i.fullText]), [
      ['first (TC-1)', 'first (TC-1) more about it, TC-2 - a sub-item naming TC-3'],
      ['second', 'second'],
    ]);
  });

  it('reads spec-wide and per-requirement criteria with their TC ids and owning FR', () => {
    const spec = [
      '# Spec',
      '### FR-1: Log in',
      '#### Acceptance criteria',
      '1. Wrong password refused (TC-1, TC-1.)',
      '2. Lockout after 5 tries',
      '### FR-2.a — Log out',
      '#### Acceptance criteria',
      '* Session ends <!-- TC-99 only in a comment -->',
      '## Acceptance criteria',
      '- Audit trail kept, verified by TC-7 and TC-8',
      '```',
      '- not a criterion (TC-5)',
      '```',
    ].join('\n');
    assert.deepEqual(parseAcceptance(parseDoc(spec)), [
      { line: 4, text: 'Wrong password refused (TC-1, TC-1.)', tcs: ['TC-1'], fr: 'FR-1' },
      { line: 5, text: 'Lockout after 5 tries', tcs: [], fr: 'FR-1' },
      { line: 8, text: 'Session ends', tcs: [], fr: 'FR-2.a' },
      { line: 10, text: 'Audit trail kept, verified by TC-7 and TC-8', tcs: ['TC-7', 'TC-8'] },
    ]);
  });

  it('finds no criteria in an empty or missing section', () => {
    assert.deepEqual(parseAcceptance(parseDoc('# S\n## Acceptance criteria\n\n<!-- list them -->\n## Next\n- x\n')), []);
    assert.deepEqual(parseAcceptance(parseDoc('# S\n- x\n')), []);
  });
});
