import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Commands } from '../../src/extension/constants';
import { auditEvents, fails, ok, uriOf } from './helpers';

/**
 * Runs in the untrusted folder the harness prepared with the CLI (CH-001, frame approved): the
 * palette's read-only report works, every command that writes or runs a program is refused.
 */
describe('the command palette in Restricted Mode', () => {
  it('Show Status… reads the project from disk and opens the report, writing nothing', async () => {
    const before = auditEvents().length;
    const v = await ok<{ markdown: string }>(Commands.Status, 'CH-001');
    assert.match(v.markdown, /^# Status of CH-001\n/);
    assert.match(v.markdown, /stage \*\*spec\*\*/);
    assert.doesNotMatch(v.markdown, /\*\*Actions\*\*/, 'expected no approve/deny to offer in Restricted Mode');
    assert.equal(auditEvents().length, before, 'expected no audit event');
  });

  it('Show Audit Trail… reads the change\'s audit stream and verifies its chain, writing nothing', async () => {
    const before = auditEvents().length;
    const v = await ok<{ markdown: string; events: number; verifies: boolean }>(Commands.ShowAudit, 'CH-001');
    assert.equal(v.verifies, true, 'expected the chain the CLI wrote to verify');
    const stream = readFileSync(uriOf('audit/changes/CH-001.jsonl').fsPath, 'utf8').split('\n').filter(Boolean);
    assert.equal(v.events, stream.length, 'expected one row per event of the CH-001 stream');
    assert.match(v.markdown, /change\.created/);
    assert.equal(auditEvents().length, before, 'expected no audit event');
  });

  it('every command that writes or runs git, tests or a model is refused, and nothing is written', async () => {
    const before = auditEvents().length;
    const yaml = readFileSync(uriOf('changes/CH-001/change.yaml').fsPath, 'utf8');
    for (const [command, arg] of [
      [Commands.Capture, { chId: 'CH-001', source: 'working' }],
      [Commands.Impact, 'CH-001'],
      [Commands.Implement, 'CH-001'],
      [Commands.ResumeRun, 'CH-001'],
      [Commands.Trace, 'CH-001'],
      [Commands.Clarify, { chId: 'CH-001', question: 'Q-1', answer: 'no' }],
      [Commands.Analyze, 'CH-001'],
      [Commands.Checklist, 'CH-001'],
      [Commands.Doctor, undefined],
      [Commands.Check, undefined],
      [Commands.Validate, 'CH-001'],
      [Commands.Waive, { chId: 'CH-001', note: 'no' }],
    ] as const) {
      const e = await fails(command, arg);
      assert.equal(e.code, 'untrusted', `expected ${command} to be refused as untrusted, got ${e.code}: ${e.message}`);
    }
    assert.equal(auditEvents().length, before, 'expected no audit event');
    assert.equal(readFileSync(uriOf('changes/CH-001/change.yaml').fsPath, 'utf8'), yaml, 'expected change.yaml untouched');
    for (const f of ['changes/CH-001/impact.md', 'changes/CH-001/checklist.md', 'artifacts/analyze', 'tests/results']) assert.equal(existsSync(uriOf(f).fsPath), false, `expected no ${f}`);
  });
});
