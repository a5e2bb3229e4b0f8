import { strict as assert } from 'node:assert';
import { parseArtifact, renderArtifact } from '../../../src/core/artifacts/frontMatter';
import { isDfError } from '../../../src/core/errors';

const H = 'a'.repeat(64);

describe('artifact front matter', () => {
  it('round-trips meta and body', () => {
    const text = renderArtifact({ artifact: 'plan', change: 'CH-001', derived_from: { 'spec.md': H, 'brief.md': H } }, '# Plan\n\nbody\n');
    assert.match(text, /^---\ndynaforge:\n {2}artifact: plan\n/);
    assert.ok(text.indexOf('brief.md') < text.indexOf('spec.md'), 'sources sorted');
    const back = parseArtifact(text, 'p.md');
    assert.deepEqual(back.meta, { artifact: 'plan', change: 'CH-001', derived_from: { 'brief.md': H, 'spec.md': H } });
    assert.equal(back.body, '# Plan\n\nbody\n');
    assert.equal(text.split('\n')[back.bodyOffset], '# Plan', 'bodyOffset: body line 1 is file line bodyOffset + 1');
  });

  it('a file without front matter is all body', () => {
    assert.deepEqual(parseArtifact('# Brief\n', 'b.md'), { body: '# Brief\n', bodyOffset: 0 });
  });

  it('broken front matter names the file and the line in the whole file', () => {
    const unclosed = '---\ndynaforge:\n  artifact: plan\n# Plan\n';
    assert.throws(() => parseArtifact(unclosed, 'changes/CH-001/plan.md'), (e: unknown) => isDfError(e) && e.where.line === 1 && /never closed/.test(e.message));
    const badHash = `---\ndynaforge:\n  artifact: plan\n  change: CH-001\n  derived_from:\n    spec.md: nope\n---\nbody`;
    assert.throws(() => parseArtifact(badHash, 'changes/CH-001/plan.md'), (e: unknown) => isDfError(e) && e.where.line === 6 && e.where.field === 'dynaforge.derived_from.spec.md' && e.message.startsWith('changes/CH-001/plan.md:6:'));
    const badYaml = '---\ndynaforge: [\n---\nbody';
    assert.throws(() => parseArtifact(badYaml, 'x.md'), (e: unknown) => isDfError(e) && e.code === 'invalid-yaml' && (e.where.line ?? 0) >= 2);
  });
});
