import { strict as assert } from 'node:assert';
import { buildTrace, compareIds } from '../../../src/core/trace/model';
import { parseTraceId, traceItem } from '../../../src/core/trace/query';
import { isDfError } from '../../../src/core/errors';
import { scopeLines } from '../../../src/core/trace/loadTrace';
import { change, fr, tc, ws } from './traceFixtures';

const REQ = 'docs/requirements/auth.md';
const T = 'test/login.test.ts';

describe('trace model', () => {
  it('links FR ↔ WS ↔ TC ↔ change ↔ evidence', () => {
    const m = buildTrace(
      [fr('FR-1', 'Users log in', REQ, 3), fr('FR-2', 'Lockout', REQ, 9), tc('TC-7', T, 4, 'FR-1'), tc('TC-7', T, 20), tc('TC-8', T, 30, 'FR-1', 'FR-2')],
      [change('CH-002', { frs: ['FR-1'], ws: ['WS-auth'], tcs: ['TC-7'], paths: ['src/auth'], evidence: ['evidence.json#diff', 'a.log'] })],
      { wsSourced: false },
    );
    const r1 = m.requirements[0];
    assert.deepEqual(r1, { id: 'FR-1', title: 'Users log in', at: { file: REQ, line: 3 }, status: 'covered', ws: ['WS-auth'], tests: ['TC-7', 'TC-8'], changes: ['CH-002'], evidence: ['CH-002: a.log', 'CH-002: evidence.json#diff'] });
    assert.deepEqual(m.requirements[1]?.tests, ['TC-8']);
    assert.deepEqual(m.requirements[1]?.ws, [], 'no change links FR-2 to a workstream');
    assert.deepEqual(m.tests.find((t) => t.id === 'TC-7'), { id: 'TC-7', at: [{ file: T, line: 4 }, { file: T, line: 20 }], frs: ['FR-1'], changes: ['CH-002'] });
    assert.deepEqual(m.workstreams, [{ id: 'WS-auth', title: '', at: [], frs: ['FR-1'], changes: ['CH-002'] }]);
    assert.deepEqual(m.gaps, []);
  });

  it('derives gap / covered / verified from tests and the lifecycle of the changes naming a requirement', () => {
    const occ = [fr('FR-1', 'a', REQ, 1), fr('FR-2', 'b', REQ, 2), fr('FR-3', 'c', REQ, 3), fr('FR-4', 'd', REQ, 4), tc('TC-1', T, 1, 'FR-1', 'FR-2', 'FR-4')];
    const m = buildTrace(occ, [change('CH-001', { frs: ['FR-1'], lifecycle: 'Approved' }), change('CH-002', { frs: ['FR-2', 'FR-3'], lifecycle: 'Partially Approved' }), change('CH-003', { frs: ['FR-4'], lifecycle: 'Merged' })], { wsSourced: false });
    assert.deepEqual(m.requirements.map((r) => [r.id, r.status]), [['FR-1', 'verified'], ['FR-2', 'covered'], ['FR-3', 'gap'], ['FR-4', 'verified']]);
  });

  it('reports every gap kind with the file and line to look at', () => {
    const m = buildTrace(
      [
        fr('FR-1', 'Defined', REQ, 3),
        fr('FR-1', 'Again', 'docs/requirements/z.md', 7),
        fr('FR-2', 'Untested', REQ, 12),
        tc('TC-7', T, 4, 'FR-1', 'FR-404'),
        tc('TC-7', T, 9, 'FR-404'),
        ws('WS-auth', 'Auth', 'docs/plan.md', 2, 'FR-1', 'FR-405'),
      ],
      [change('CH-001', { frs: ['FR-1', 'FR-9'], ws: ['WS-auth', 'WS-nope'], tcs: ['TC-7', 'TC-99'], lines: { 'FR-9': 8, 'TC-99': 14 } })],
      { wsSourced: true },
    );
    assert.deepEqual(m.gaps, [
      { kind: 'fr-untested', id: 'FR-2', message: 'FR-2 has no test: no TC id appears on a line naming it', file: REQ, line: 12 },
      { kind: 'fr-duplicate', id: 'FR-1', message: `FR-1 is defined twice: ${REQ}:3 and docs/requirements/z.md:7`, file: 'docs/requirements/z.md', line: 7 },
      { kind: 'tc-unknown-fr', id: 'TC-7', message: 'TC-7 names FR-404, which no requirement defines', file: T, line: 4 },
      { kind: 'ws-unknown-fr', id: 'WS-auth', message: 'WS-auth names FR-405, which no requirement defines', file: 'docs/plan.md', line: 2 },
      { kind: 'change-unknown-fr', id: 'CH-001', message: 'CH-001 scope.frs names FR-9, but no requirement source defines it', file: 'changes/CH-001/change.yaml', line: 8 },
      { kind: 'change-unknown-ws', id: 'CH-001', message: 'CH-001 scope.ws names WS-nope, but no workstream source defines it', file: 'changes/CH-001/change.yaml' },
      { kind: 'change-unknown-tc', id: 'CH-001', message: 'CH-001 scope.tcs names TC-99, but no test source defines it', file: 'changes/CH-001/change.yaml', line: 14 },
    ]);
    assert.equal(m.requirements.find((r) => r.id === 'FR-1')?.title, 'Defined', 'the first definition wins');
  });

  it('does not flag workstreams named only by changes when no ws source is configured', () => {
    const m = buildTrace([], [change('CH-001', { ws: ['WS-free'] })], { wsSourced: false });
    assert.deepEqual(m.gaps, []);
    assert.deepEqual(m.workstreams.map((w) => w.id), ['WS-free']);
  });

  it('gives the same model whatever order occurrences and changes come in, and sorts ids naturally', () => {
    const occ = [fr('FR-10', 'x', REQ, 5), fr('FR-2', 'y', REQ, 1), tc('TC-3', T, 2, 'FR-10'), tc('TC-1', 'test/a.ts', 9, 'FR-2')];
    const chs = [change('CH-1000', { frs: ['FR-2'] }), change('CH-999', { frs: ['FR-10'] })];
    const a = buildTrace(occ, chs, { wsSourced: false });
    const b = buildTrace([...occ].reverse(), [...chs].reverse(), { wsSourced: false });
    assert.deepEqual(a, b);
    assert.deepEqual(a.requirements.map((r) => r.id), ['FR-2', 'FR-10']);
    assert.deepEqual(a.changes.map((c) => c.id), ['CH-999', 'CH-1000']);
    assert.deepEqual(['TC-10', 'TC-9', 'TC-1.2', 'TC-1', 'TC-a'].sort(compareIds), ['TC-1', 'TC-1.2', 'TC-9', 'TC-10', 'TC-a']);
  });
});

describe('trace queries', () => {
  const model = buildTrace([fr('FR-1', 'a', REQ, 1), fr('FR-12', 'b', REQ, 2), tc('TC-7', T, 1, 'FR-1', 'FR-77')], [change('CH-004', { frs: ['FR-1', 'FR-88'], tcs: ['TC-7'] })], { wsSourced: false });

  it('reads ids as users type them', () => {
    assert.equal(parseTraceId('fr-1'), 'FR-1');
    assert.equal(parseTraceId('4'), 'CH-004');
    assert.equal(parseTraceId('ch-4'), 'CH-004');
    assert.throws(() => parseTraceId('login'), (e: unknown) => isDfError(e) && e.exitCode === 2);
  });

  it('shows a change with the tests verifying its requirements and its gaps', () => {
    const v = traceItem(model, 'CH-004');
    assert.equal(v.kind, 'change');
    if (v.kind !== 'change') return;
    assert.deepEqual(v.item.verifiedBy, ['TC-7']);
    assert.deepEqual(v.gaps.map((g) => g.kind), ['change-unknown-fr']);
  });

  it('refuses an unknown id with near matches, and says who names an undefined one', () => {
    assert.throws(() => traceItem(model, 'FR-2'), (e: unknown) => isDfError(e) && e.code === 'not-found' && e.exitCode === 1 && /did you mean FR-1, FR-12/.test(e.fix));
    assert.throws(() => traceItem(model, 'FR-88'), (e: unknown) => isDfError(e) && /no trace item FR-88 \(named by CH-004, but defined by no trace source\)/.test(e.message));
    assert.throws(() => traceItem(model, 'FR-77'), (e: unknown) => isDfError(e) && /named by TC-7/.test(e.message));
  });
});

describe('scope lines in change.yaml', () => {
  it('finds the line listing each scope id, quoted or with a comment, and skips ids not listed', () => {
    const yaml = ['id: CH-001', 'scope:', '  paths:', '    - src/FR-1', '  frs:', '    - FR-1', "    - 'FR-2'  # quoted", '  tcs:', '    - TC-7', ''].join('\n');
    assert.deepEqual(scopeLines(yaml, ['FR-1', 'FR-2', 'TC-7', 'WS-x']), { 'FR-1': 6, 'FR-2': 7, 'TC-7': 9 });
  });
});
