import { strict as assert } from 'node:assert';
import { appendFileSync } from 'node:fs';
import { auditTrail, readOnlyAuditLog, renderAuditTrail } from '../../../src/core/audit/trail';
import type { AuditEventInput } from '../../../src/core/schema/audit';
import { ACTOR, concern, openLog, tempDirs } from './auditFixtures';

const STREAM = 'changes/CH-001';

function approval(note: string): AuditEventInput<'approval.recorded'> {
  return { type: 'approval.recorded', ch_id: 'CH-001', actor: ACTOR, correlation_id: 'corr-a', payload: { stage: 'frame', decision: 'approved', note, artifacts: { 'brief.md': 'ab'.repeat(32) } } };
}

describe('audit trail of one change (what Dynaforge: Show Audit Trail renders)', () => {
  const tmp = tempDirs();

  it('lists the change stream oldest first, one row per event, and says the chain verifies', async () => {
    const t = openLog(tmp.make());
    await t.log.append(concern('CH-001', 'rate limit | too <b>loose</b>'));
    await t.log.append(approval('looks right'));
    await t.log.append(concern('CH-002', 'another change'));
    await t.log.append({ type: 'command', ch_id: 'CH-001', actor: ACTOR, correlation_id: 'corr-c', payload: { name: 'new', args: ['new', 'Count `visitors`', '--use'], cwd: '.', outcome: 'ok', exit_code: 0 } });
    const trail = auditTrail(readOnlyAuditLog(t.root), 'CH-001');
    assert.deepEqual(trail.events.map((e) => e.type), ['concern.raised', 'approval.recorded', 'command']);
    assert.equal(trail.check.problem, undefined);
    const md = renderAuditTrail(trail, 'Rate-limit the login');
    assert.match(md, /^# Audit trail of CH-001 — Rate-limit the login\n/);
    assert.ok(md.includes(`\`audit/${STREAM}.jsonl\` · 3 events · the hash chain verifies`), md);
    const rows = md.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    assert.equal(rows.length, 3);
    assert.equal(rows[0], '| 1 | 2026-11-21 09:00:00 | Ada &lt;ada@example.invalid> (implementer) | `concern.raised` | CN-1 (high): rate limit \\| too &lt;b>loose&lt;/b> |');
    assert.match(rows[1] ?? '', /\| `approval\.recorded` \| \*\*approved\*\* frame: looks right — covers brief\.md \|$/);
    assert.match(rows[2] ?? '', /\| `command` \| `` dynaforge new "Count `visitors`" --use `` → ok \|$/, 'expected the command line as typed, quoted');
  });

  it('says when the stream does not verify, where, and the fix; a change with no events says so', async () => {
    const t = openLog(tmp.make());
    assert.match(renderAuditTrail(auditTrail(t.log, 'CH-001')), /0 events · the hash chain verifies\n\nNothing is recorded about this change yet\.\n$/);
    await t.log.append(approval('ok'));
    appendFileSync(t.file(STREAM), '{"torn":');
    const trail = auditTrail(t.log, 'CH-001');
    assert.equal(trail.check.problem?.line, 2);
    const md = renderAuditTrail(trail);
    assert.match(md, /\*\*does NOT verify\*\*/);
    assert.match(md, /> \*\*audit\/changes\/CH-001\.jsonl:2\*\*: .* — crash damage: `dynaforge audit repair` fixes it\./);
  });
});
