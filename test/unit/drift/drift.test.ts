import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { toSarif } from '../../../src/core/check/sarif';
import type { CheckReport } from '../../../src/core/check/check';
import { changeFindings } from '../../../src/core/drift/changeFindings';
import { idCollisions } from '../../../src/core/drift/collisions';
import { orphanCommits, type WindowCommit } from '../../../src/core/drift/orphans';
import { isDynaforgeRecord, layoutAt } from '../../../src/core/repo/layout';
import { ChangeSchema, type Approval, type Change } from '../../../src/core/schema/change';
import { approvalText } from '../../../src/core/store/changeStore';
import { ConfigSchema } from '../../../src/core/schema/config';
import { tempDir } from '../core/tempRepo';

const config = ConfigSchema.parse({});
const H = (c: string) => c.repeat(64);
const change = (over: Partial<Change> = {}): Change => ChangeSchema.parse({ id: 'CH-001', title: 'T', origin: 'idea', created: '2026-11-21T09:00:00.000Z', updated: '2026-11-21T09:00:00.000Z', ...over });
const approval = (stage: Approval['stage'], artifacts: Record<string, string>, at = '2026-11-21T10:00:00.000Z'): Approval => ({ stage, decision: 'approved', by: 'Ada <ada@example.com>', at, artifacts });
const commit = (sha: string, files: string[], claimed_by: string[] = []): WindowCommit => ({ sha: sha.repeat(40).slice(0, 40), subject: `commit ${sha}`, claimed_by, files });

describe('drift: orphan commits', () => {
  const changes = [change({ scope: { paths: ['src/auth'], frs: [], ws: [], tcs: [] } }), change({ id: 'CH-002', status: 'merged', scope: { paths: ['src/auth'], frs: [], ws: [], tcs: [] } })];
  const none = () => false;

  it('flags unclaimed commits touching governed files and suggests open changes covering them', () => {
    const out = orphanCommits({ commits: [commit('a', ['src/auth/login.ts']), commit('b', ['src/ui/x.ts'])], changes, captured: new Set(), ignored: none });
    assert.deepEqual(out.map((f) => f.key), [`orphan-commit:${'a'.repeat(40)}`, `orphan-commit:${'b'.repeat(40)}`]);
    assert.deepEqual(out[0]?.target, { type: 'commits', range: `${'a'.repeat(40)}~1..${'a'.repeat(40)}`, shas: ['a'.repeat(40)], suggested: ['CH-001'] }, 'merged CH-002 is not suggested');
    assert.deepEqual(out[1]?.target.type === 'commits' && out[1].target.suggested, undefined);
  });

  it('claimed by trailer, captured, tool records and ignored paths are not orphans', () => {
    const out = orphanCommits({
      commits: [commit('a', ['src/a.ts'], ['CH-001']), commit('b', ['src/b.ts']), commit('c', ['changes/CH-001/spec.md', 'audit/changes/CH-001.jsonl', 'PROGRESS.md']), commit('d', ['docs/x.md'])],
      changes,
      captured: new Set(['b'.repeat(40)]),
      ignored: picomatch(['docs/**']),
    });
    assert.deepEqual(out, []);
  });

  it('a trailer naming a change that does not exist claims nothing', () => {
    const out = orphanCommits({ commits: [commit('a', ['src/a.ts'], ['CH-404'])], changes, captured: new Set(), ignored: none });
    assert.match(out[0]?.message ?? '', /its trailer names CH-404, which does not exist here/);
  });
});

describe('drift: one change', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    mkdirSync(join(dir, 'changes', 'CH-001'), { recursive: true });
  });
  afterEach(() => cleanup());
  const layout = () => layoutAt(dir);
  const write = (name: string, text: string) => writeFileSync(join(dir, 'changes', 'CH-001', name), text);

  it('a stale approval is reported only for the latest decision of its stage', () => {
    const c = change({ approvals: [approval('frame', { 'brief.md': H('1') }), approval('frame', { 'brief.md': H('2') }, '2026-11-21T11:00:00.000Z')] });
    assert.deepEqual(changeFindings(layout(), config, c, { 'brief.md': H('2') }), []);
    const stale = changeFindings(layout(), config, c, { 'brief.md': H('3') });
    assert.deepEqual(stale.map((f) => [f.key, f.actions]), [['approval-stale:CH-001:frame', ['re-approve']]]);
  });

  it('an approval recorded before its gate was met is a gate violation; so is merged without Package', () => {
    const c = change({ status: 'merged', approvals: [approval('execute', { 'plan.md': H('1'), 'tasks.md': H('2') })] });
    const out = changeFindings(layout(), config, c, { 'plan.md': H('1'), 'tasks.md': H('2') });
    assert.deepEqual(out.map((f) => f.key), ['gate-violation:CH-001:execute@2026-11-21T10:00:00.000Z', 'gate-violation:CH-001:merge']);
    assert.match(out[0]?.message ?? '', /needs frame \+ spec approved/);
    assert.equal(out[0]?.severity, 'error');
  });

  it('a Package approval whose verdict gate no longer holds is a gate violation', () => {
    const c = change({ qa_verdict: { verdict: 'FAIL', reasons: ['2 tests fail'], at: '2026-11-21T12:00:00.000Z' }, approvals: [approval('package', {})] });
    assert.deepEqual(changeFindings(layout(), config, c, {}).map((f) => f.key), ['gate-violation:CH-001:package:verdict']);
  });

  it('artifacts: stale derived_from, a deleted source, broken front matter, a task line that does not parse', () => {
    write('plan.md', `---\ndynaforge:\n  artifact: plan\n  change: CH-001\n  derived_from:\n    spec.md: ${H('a')}\n---\n# Plan\n`);
    write('tasks.md', `---\ndynaforge:\n  artifact: tasks\n  change: CH-001\n  derived_from:\n    plan.md: ${H('b')}\n---\n# Tasks\n- [ ] T-001 ok\n- [!] T-002 bad\n`);
    write('spec.md', '---\ndynaforge:\n  artifact: nonsense\n---\n');
    const out = changeFindings(layout(), config, change(), { 'plan.md': H('p'), 'tasks.md': H('t'), 'spec.md': H('s') });
    assert.deepEqual(out.map((f) => [f.key, f.line]), [
      ['invalid:CH-001:spec.md:front-matter', 3],
      ['artifact-stale:CH-001:plan.md', 1],
      ['invalid:CH-001:tasks.md:10', 10],
      ['artifact-stale:CH-001:tasks.md', 1],
    ]);
    const deleted = changeFindings(layout(), config, change(), { 'plan.md': H('p') }).find((f) => f.key === 'artifact-stale:CH-001:plan.md');
    assert.match(deleted?.message ?? '', /\(spec\.md deleted\)/);
  });
});

describe('drift: id collisions', () => {
  it('a change.yaml whose conflict sides were created at different times', () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, 'changes', 'CH-003'), { recursive: true });
      writeFileSync(join(dir, 'changes', 'CH-003', 'change.yaml'), 'id: CH-003\n<<<<<<< HEAD\ntitle: A\ncreated: 2026-11-20T09:00:00.000Z\n=======\ntitle: B\ncreated: 2026-11-21T09:00:00.000Z\n>>>>>>> other\n');
      const out = idCollisions(layoutAt(dir), ['CH-003'], []);
      assert.deepEqual(out.map((f) => [f.key, f.file]), [['id-collision:CH-003', 'changes/CH-003/change.yaml']]);
      writeFileSync(join(dir, 'changes', 'CH-003', 'change.yaml'), 'id: CH-003\n<<<<<<< HEAD\ntitle: A\n=======\ntitle: B\n>>>>>>> other\ncreated: 2026-11-20T09:00:00.000Z\n');
      assert.deepEqual(idCollisions(layoutAt(dir), ['CH-003'], []), [], 'an ordinary conflict inside one change is not a collision');
    } finally {
      cleanup();
    }
  });
});

describe('check: SARIF', () => {
  it('maps severities to levels, keeps keys as fingerprints and marks accepted items suppressed', () => {
    const f = orphanCommits({ commits: [commit('a', ['src/a.ts'])], changes: [], captured: new Set(), ignored: () => false })[0];
    assert.ok(f);
    const report: CheckReport = { findings: [f], accepted: [{ finding: { ...f, key: 'k2' }, note: 'fine', by: 'Ada', at: 'now' }], failOn: 'warning', counts: { error: 0, warning: 1, note: 0 }, passed: false, git: true, events: 0 };
    const sarif = toSarif(report, '9.9.9') as { version: string; runs: { tool: { driver: { version: string; rules: { id: string }[] } }; results: { level: string; ruleIndex: number; partialFingerprints: { dynaforgeKey: string }; suppressions?: { justification: string }[] }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.equal(run?.tool.driver.version, '9.9.9');
    assert.deepEqual(run?.tool.driver.rules.map((r) => r.id), ['orphan-commit']);
    assert.deepEqual(run?.results.map((r) => [r.level, r.ruleIndex, r.partialFingerprints.dynaforgeKey, r.suppressions?.[0]?.justification]), [
      ['warning', 0, f.key, undefined],
      ['warning', 0, 'k2', 'fine (Ada)'],
    ]);
  });
});

describe('drift: what is governed', () => {
  it("the tool's records and generated views are not governed; everything else is", () => {
    const records = ['changes/CH-001/spec.md', 'audit/changes/CH-001.jsonl', '.dynaforge/config.yaml', 'artifacts/analyze/CH-001/analyze.json', 'TRACEABILITY.md', 'PROGRESS.md', 'CHANGELOG.md', 'tests/results/CH-001.json'];
    const governed = ['src/changes/x.ts', 'docs/CHANGELOG.md', 'auditor.ts', 'README.md', 'tests/unit/results.test.ts'];
    assert.deepEqual(records.filter(isDynaforgeRecord), records);
    assert.deepEqual(governed.filter(isDynaforgeRecord), []);
  });
});

describe('approvals of tasks.md', () => {
  it('ticking tasks off or linking evidence keeps the approved plan of work; changing or dropping a task does not', () => {
    const base = '# Tasks\n\n- [ ] T-001 Add a bucket (files: src/b.ts)\n- [ ] T-002 [P] Test it\n';
    const same = approvalText(base);
    assert.equal(approvalText(base.replace('- [ ] T-001', '- [x] T-001').replace('(files: src/b.ts)', '(files: src/b.ts) (evidence: evidence.json#E-2)')), same);
    assert.equal(approvalText(base.replace('- [ ] T-002', '- [~] T-002')), same);
    assert.notEqual(approvalText(base.replace('- [ ] T-002', '- [-] T-002')), same);
    assert.notEqual(approvalText(base.replace('Add a bucket', 'Add two buckets')), same);
  });
});
