import { strict as assert } from 'node:assert';
import { findMarkers, VAGUE_TERMS } from '../../../src/core/analyze/markers';
import { parseDoc } from '../../../src/core/analyze/markdown';
import { normalizeAnswer, parseQuestionId, recordAnswer, scanQuestions, tagLine } from '../../../src/core/analyze/questions';
import { DfError } from '../../../src/core/errors';

const terms = (line: string) => findMarkers(line).map((m) => `${m.kind}:${m.term}`);

describe('analyze: ambiguity markers', () => {
  it('finds explicit placeholders case-sensitively and vague words as whole words, any case', () => {
    assert.deepEqual(terms('Timeout is TBD, see TODO and ???'), ['placeholder:TBD', 'placeholder:TODO', 'placeholder:???']);
    assert.deepEqual(terms('a todo list, tbd-ish, TBDs'), [], 'lower case and longer words are not placeholders');
    assert.deepEqual(terms('It must be Fast, user-friendly, etc.'), ['vague:Fast', 'vague:user-friendly', 'vague:etc.']);
    assert.deepEqual(terms('breakfast on the fast-path is steadfast'), [], 'only whole words');
    assert.deepEqual(terms('retry as needed and/or as appropriate'), ['vague:as needed', 'vague:and/or', 'vague:as appropriate']);
  });

  it('reads a NEEDS CLARIFICATION marker as one hit, not also the vague words inside it', () => {
    assert.deepEqual(terms('Limit: [NEEDS CLARIFICATION: how fast?] per user'), ['needs-clarification:[NEEDS CLARIFICATION: how fast?]']);
    assert.deepEqual(terms('[needs clarification]'), ['needs-clarification:[needs clarification]']);
  });

  it('keeps the documented vague list free of duplicates and in lower case', () => {
    assert.equal(new Set(VAGUE_TERMS).size, VAGUE_TERMS.length);
    for (const t of VAGUE_TERMS) assert.equal(t, t.toLowerCase());
  });
});

const SPEC = [
  '# CH-001 spec: Login', //                                  1
  '', //                                                       2
  '<!-- A template comment: TBD, fast? -->', //                3
  'Logins must be fast.', //                                   4
  '', //                                                       5
  '```', //                                                    6
  'TODO: inside a code block', //                              7
  '```', //                                                    8
  '## What about SSO?', //                                     9  (a heading: not a question)
  'Who owns the session store?', //                            10
  '', //                                                       11
  '## Open questions', //                                      12
  '- Should admins bypass the limit', //                       13
  '- None.', //                                                14
  '', //                                                       15
  '## Clarifications', //                                      16
  '', //                                                       17
  '- **Q-9** (2026-01-01, Old <o@x>): Is it fast? → yes', //   18
  '',
].join('\n');

describe('analyze: open questions and their ids', () => {
  it('lists markers, lines ending in ?, Open questions items; skips comments, code, headings and Clarifications', () => {
    const scan = scanQuestions(parseDoc(SPEC));
    assert.deepEqual(
      scan.questions.map((q) => [q.id, q.line, q.status, q.reasons.join('+'), q.text]),
      [
        ['Q-1', 4, 'open', 'vague', 'Logins must be fast.'],
        ['Q-2', 10, 'open', 'question', 'Who owns the session store?'],
        ['Q-3', 13, 'open', 'open-questions-item', 'Should admins bypass the limit'],
      ],
    );
    assert.deepEqual([...scan.answers], [['Q-9', 18]]);
  });

  it('keeps every id stable when a question is answered, and the answer links both ends', () => {
    const doc = parseDoc(SPEC);
    const q2 = scanQuestions(doc).questions[1];
    assert.ok(q2);
    const { text, entryLine } = recordAnswer(SPEC, doc, q2, { date: '2026-11-21', author: 'Ada Tester <ada@example.invalid>', text: 'The auth service' });
    const lines = text.split('\n');
    assert.equal(lines[9], 'Who owns the session store? (clarified: Q-2)');
    assert.equal(lines[entryLine - 1], '- **Q-2** (2026-11-21, Ada Tester <ada@example.invalid>): Who owns the session store? → The auth service');
    assert.equal(entryLine, 19, 'appended after the last entry of the section');
    const after = scanQuestions(parseDoc(text));
    assert.deepEqual(
      after.questions.map((q) => [q.id, q.status, q.answer_line]),
      [
        ['Q-1', 'open', undefined],
        ['Q-2', 'answered', 19],
        ['Q-3', 'open', undefined],
      ],
    );
    assert.deepEqual(after.dangling, []);
    // Answering the first one does not move the third either.
    const again = recordAnswer(text, parseDoc(text), after.questions[0] as never, { date: '2026-11-22', author: 'B <b@x>', text: 'p95 < 200 ms' });
    assert.deepEqual(scanQuestions(parseDoc(again.text)).questions.map((q) => `${q.id}:${q.status}`), ['Q-1:answered', 'Q-2:answered', 'Q-3:open']);
  });

  it('gives new questions the lowest ids no answer uses, in line order', () => {
    const text = ['## Clarifications', '- **Q-1** (d, a): x → y', '', '## Body', 'Is A settled? (clarified: Q-2)', 'Is B settled?', 'Is C settled?', ''].join('\n');
    const scan = scanQuestions(parseDoc(text));
    assert.deepEqual(scan.questions.map((q) => `${q.id}:${q.status}:${q.line}`), ['Q-2:answered:5', 'Q-3:open:6', 'Q-4:open:7']);
    assert.deepEqual(scan.dangling, [{ id: 'Q-2', line: 5 }], 'a tag with no Clarifications entry is reported');
  });

  it('creates the Clarifications section when the spec has none, keeping front matter and CRLF line ends', () => {
    const front = '---\r\ndynaforge:\r\n  artifact: spec\r\n  change: CH-001\r\n---\r\n';
    const text = `${front}# Spec\r\n\r\n| Timeout | TBD |\r\n\r\n\r\n`;
    const doc = parseDoc(text.slice(front.length), 6);
    const [q] = scanQuestions(doc).questions;
    assert.ok(q && q.line === 8);
    const r = recordAnswer(text, doc, q, { date: '2026-11-21', author: 'A <a@x>', text: '30 s' });
    assert.equal(r.text, `${front}# Spec\r\n\r\n| Timeout | TBD (clarified: Q-1) |\r\n\r\n## Clarifications\r\n\r\n- **Q-1** (2026-11-21, A <a@x>): | Timeout | TBD | → 30 s\r\n`);
    assert.equal(r.text.split('\r\n')[r.entryLine - 1]?.startsWith('- **Q-1**'), true);
    assert.equal(scanQuestions(parseDoc(r.text.slice(front.length), 6)).questions[0]?.status, 'answered');
  });

  it('fills an empty Clarifications section right under its heading', () => {
    const text = '# S\n\nIs it TBD?\n\n## Clarifications\n## Next\nbody\n';
    const doc = parseDoc(text);
    const r = recordAnswer(text, doc, scanQuestions(doc).questions[0] as never, { date: 'd', author: 'a', text: 'no' });
    assert.equal(r.text, '# S\n\nIs it TBD? (clarified: Q-1)\n\n## Clarifications\n\n- **Q-1** (d, a): Is it TBD? → no\n\n## Next\nbody\n');
    assert.equal(r.entryLine, 7);
  });

  it('tags a line ending in an open comment before the comment, so the tag stays visible', () => {
    assert.equal(tagLine('Is it TBD? <!-- see', 'Q-1'), 'Is it TBD? (clarified: Q-1) <!-- see');
    assert.equal(tagLine('Is it TBD? <!-- x -->', 'Q-1'), 'Is it TBD? <!-- x --> (clarified: Q-1)');
  });

  it('parses question ids and refuses empty answers', () => {
    assert.equal(parseQuestionId('q2'), 'Q-2');
    assert.equal(parseQuestionId(' Q-007 '), 'Q-7');
    assert.throws(() => parseQuestionId('C-2'), (e: unknown) => e instanceof DfError && e.exitCode === 2);
    assert.equal(normalizeAnswer(' a\n  b\tc '), 'a b c');
    assert.throws(() => normalizeAnswer(' \n '), (e: unknown) => e instanceof DfError && e.code === 'usage');
  });
});
