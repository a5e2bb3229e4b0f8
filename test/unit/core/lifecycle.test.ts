import { strict as assert } from 'node:assert';
import type { Concern } from '../../../src/core/concerns/concerns';
import { foldConcerns } from '../../../src/core/concerns/concerns';
import type { AuditEvent } from '../../../src/core/schema/audit';
import { ChangeSchema, type Approval } from '../../../src/core/schema/change';
import { ConfigSchema } from '../../../src/core/schema/config';
import { deriveStatus } from '../../../src/core/status/lifecycle';

const T = '2026-11-21T09:00:00.000Z';
const H = (c: string) => c.repeat(64);
const config = ConfigSchema.parse({});
const base = ChangeSchema.parse({ id: 'CH-001', title: 't', origin: 'idea', created: T, updated: T });
const approve = (stage: Approval['stage'], artifacts: Record<string, string>, decision: Approval['decision'] = 'approved'): Approval => ({ stage, decision, by: 'Ada <ada@example.com>', at: T, artifacts });

describe('derived status', () => {
  it('a new change is a Draft in the frame stage with nothing blocking', () => {
    const s = deriveStatus(base, { 'brief.md': H('a') }, [], config);
    assert.equal(s.lifecycle, 'Draft');
    assert.equal(s.stage, 'frame');
    assert.deepEqual(s.blockers, []);
  });

  it('moves to the next stage while approvals are current, and the gate names what is missing', () => {
    const c = { ...base, approvals: [approve('frame', { 'brief.md': H('a') })] };
    const s = deriveStatus(c, { 'brief.md': H('a'), 'spec.md': H('b') }, [], config);
    assert.equal(s.stage, 'spec');
    assert.equal(s.lifecycle, 'Analyzed');
    assert.ok(s.blockers.some((b) => /gate execute: needs spec approved/.test(b)), s.blockers.join('\n'));
  });

  it('editing an approved artifact makes that approval — and only that one — stale', () => {
    const c = { ...base, approvals: [approve('frame', { 'brief.md': H('a') }), approve('spec', { 'spec.md': H('b') })] };
    const s = deriveStatus(c, { 'brief.md': H('a'), 'spec.md': H('c') }, [], config);
    assert.deepEqual(s.approvals.map((a) => a.current), [true, false]);
    assert.deepEqual(s.approvals[1]?.changed, ['spec.md']);
    assert.equal(s.stage, 'spec');
    assert.ok(s.blockers.some((b) => /spec approval .* is stale \(spec.md changed since\)/.test(b)));
  });

  it('a denial keeps the stage and says who denied and why', () => {
    const c = { ...base, approvals: [{ ...approve('frame', { 'brief.md': H('a') }, 'denied'), note: 'too vague' }] };
    const s = deriveStatus(c, { 'brief.md': H('a') }, [], config);
    assert.equal(s.stage, 'frame');
    assert.ok(s.blockers.some((b) => /frame was denied by Ada .*too vague/.test(b)));
  });

  it('Frame + Spec approved is In-Progress; Package approved is Approved; recorded statuses win', () => {
    const arts = { 'brief.md': H('a'), 'spec.md': H('b') };
    const fs = { ...base, approvals: [approve('frame', arts), approve('spec', arts)] };
    assert.equal(deriveStatus(fs, arts, [], config).lifecycle, 'In-Progress');
    const all = { ...fs, approvals: [...fs.approvals, approve('execute', arts), approve('validate', arts), approve('package', arts)] };
    assert.equal(deriveStatus(all, arts, [], config).lifecycle, 'Approved');
    assert.equal(deriveStatus({ ...all, status: 'abandoned' }, arts, [], config).lifecycle, 'Abandoned');
  });

  it('open concerns of severity high or above are blockers; resolved ones are not', () => {
    const events = [
      ev(1, 'concern.raised', { concern_id: 'C-1', source: 'x', severity: 'high', summary: 'a', evidence: [] }),
      ev(2, 'concern.raised', { concern_id: 'C-2', source: 'x', severity: 'low', summary: 'b', evidence: [] }),
      ev(3, 'concern.raised', { concern_id: 'C-3', source: 'x', severity: 'critical', summary: 'c', evidence: [] }),
      ev(4, 'concern.resolved', { concern_id: 'C-3', note: 'fixed' }),
      ev(5, 'concern.assigned', { concern_id: 'C-1', assignee: 'bob' }),
      ev(6, 'concern.acknowledged', { concern_id: 'C-1' }),
    ];
    const concerns: Concern[] = foldConcerns(events);
    assert.deepEqual(concerns.map((c) => [c.id, c.status, c.assignee ?? null]), [['C-1', 'acknowledged', 'bob'], ['C-2', 'open', null], ['C-3', 'resolved', null]]);
    assert.equal(concerns[2]?.notes.length, 1);
    const s = deriveStatus(base, {}, concerns, config);
    assert.equal(s.openConcerns.length, 2);
    assert.ok(s.blockers.some((b) => /1 open concern of severity high or above \(C-1\)/.test(b)));
  });
});

function ev(seq: number, type: string, payload: Record<string, unknown>): AuditEvent {
  return { v: 1, seq, ts: T, type, ch_id: 'CH-001', actor: { kind: 'human', id: 'Ada', role: 'user' }, correlation_id: 'c', payload, prev: H('0'), hash: H('1') } as AuditEvent;
}
