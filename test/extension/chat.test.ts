import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../src/extension/constants';
import { askDf, offlineModel, OFFLINE_VENDOR, setModelSource } from './chatHelpers';
import { api, auditEvents, ok, root, settle, waitFor } from './helpers';

/** The `command` audit events with their actor role (the helpers' type leaves the actor out). */
function commandEvents(): { name: string; role: string; ch_id?: string }[] {
  return (auditEvents() as unknown as { type: string; ch_id?: string; actor: { role: string }; payload: { name: string } }[])
    .filter((e) => e.type === 'command')
    .map((e) => ({ name: e.payload.name, role: e.actor.role, ...(e.ch_id ? { ch_id: e.ch_id } : {}) }));
}

describe('@df: the chat participant (handler driven with a recording stream)', () => {
  let id = '';

  before(async () => {
    await setModelSource('config'); // config.yaml says model.provider none: template mode
    await settle(await api());
  });

  it('/new frames a change from the request (template mode), makes it active and offers to approve its frame', async () => {
    const r = await askDf('new', 'Greet visitors by name on the home page');
    const m = /Created \*\*(CH-\d{3,})\*\*/.exec(r.stream.text);
    assert.ok(m, `expected "Created **CH-…**" in the answer, got:\n${r.stream.text}`);
    id = m[1] as string;
    assert.equal((await api()).snapshot().active?.id, id, 'expected the new change to be the active one');
    assert.ok(r.stream.anchors.some((x) => x.path.endsWith(`changes/${id}/brief.md`)), 'expected a link to the brief');
    assert.ok(r.stream.buttons.some((b) => b.command === Commands.Approve && JSON.stringify(b.arguments) === JSON.stringify([{ chId: id, stage: 'frame' }])), `expected an "Approve frame" button for ${id}, got ${JSON.stringify(r.stream.buttons)}`);
    assert.ok(r.stream.text.includes(`waits at **frame**`), 'expected the loop to stop where a person approves the frame');
    assert.equal(r.metadata.chId, id);
    assert.ok(r.metadata.followups.some((f) => f.command === 'approve'), 'expected a followup to approve');
    assert.match(readFileSync(join(root(), 'changes', id, 'brief.md'), 'utf8'), /Greet visitors by name on the home page/);
    const ev = commandEvents().filter((e) => e.ch_id === id);
    assert.ok(ev.some((e) => e.name === 'run' && e.role === 'vscode chat'), `expected a command event recorded as the chat, got ${JSON.stringify(ev)}`);
  });

  it('/status shows the change, its stage and approval state, links its artifacts, and offers Approve / Deny', async () => {
    const r = await askDf('status', '');
    const text = r.stream.text;
    assert.ok(text.includes(`**${id}** Greet visitors by name on the home page`), `expected the change in the answer, got:\n${text}`);
    assert.match(text, /Draft · stage \*\*frame\*\* · awaiting approval/);
    assert.ok(r.stream.anchors.some((x) => x.path.endsWith(`changes/${id}/change.yaml`)));
    const titles = r.stream.buttons.map((b) => b.title);
    assert.deepEqual(titles, ['Approve frame', 'Deny frame…']);
    assert.deepEqual(r.metadata.followups.map((f) => `${f.command} ${f.prompt}`), [`approve ${id} frame`, `impact ${id}`]);
  });

  it('/status all lists every change, the active one marked', async () => {
    const r = await askDf('status', 'all');
    assert.match(r.stream.text, /\*\*\d+ changes\*\* · active: /);
    assert.ok(r.stream.text.includes(`**${id}**`) && r.stream.text.includes('*active*'));
  });

  it('/approve without a stage says what approving would cover, offers the button, and records nothing', async () => {
    const before = auditEvents().length;
    const r = await askDf('approve', id);
    assert.match(r.stream.text, /Approving \*\*frame\*\* records your git identity and the hash of `brief\.md`/);
    assert.equal(r.stream.buttons[0]?.command, Commands.Approve);
    assert.equal(auditEvents().length, before, 'expected nothing recorded without an explicit stage');
  });

  it('/approve <change> <stage> records the approval as the person at the keyboard; the stage moves on', async () => {
    const r = await askDf('approve', `${id} frame looks right`);
    assert.match(r.stream.text, /Approved \*\*frame\*\* of \*\*CH-\d+\*\* as E2E Tester/);
    assert.match(r.stream.text, /Next stage: \*\*spec\*\*/);
    const view = (await api()).snapshot().changes.find((c) => c.change.id === id);
    assert.equal(view?.status?.stage, 'spec');
    assert.equal(view?.change.approvals.at(-1)?.note, 'looks right', 'expected the rest of the prompt as the note');
  });

  it('/plan lets the Designer write the spec (template mode) and stops where a person approves it', async () => {
    const r = await askDf('plan', id);
    assert.ok(existsSync(join(root(), 'changes', id, 'spec.md')), 'expected spec.md written');
    assert.ok(r.stream.progressText.some((p) => /hands .* to the Designer/.test(p)), `expected the handoff as progress, got ${JSON.stringify(r.stream.progressText)}`);
    assert.match(r.stream.text, /Designer: created spec\.md|Designer: created changes\/CH-\d+\/spec\.md/);
    assert.match(r.stream.text, /waits at \*\*spec\*\*/);
  });

  it('/deny without a reason asks for one; with a reason it raises a concern', async () => {
    const ask = await askDf('deny', `${id} spec`);
    assert.match(ask.stream.text, /needs a reason/);
    assert.equal(ask.stream.buttons[0]?.command, Commands.Deny);
    const r = await askDf('deny', `${id} spec "The greeting is not specified"`);
    assert.match(r.stream.text, /Denied \*\*spec\*\* of \*\*CH-\d+\*\*.*The greeting is not specified/s);
    assert.match(r.stream.text, /Raised concern \*\*CH-\d+\/C-\d+\*\*/);
  });

  it('/tasks lists the tasks linked to their lines, and its Start / Done buttons work the task with evidence', async () => {
    const tasksMd = join(root(), 'changes', id, 'tasks.md');
    writeFileSync(tasksMd, `# Tasks\n\n- [ ] T-001 Write the greeting text\n- [ ] T-002 Show it on the home page\n`);
    await settle(await api());
    const r = await askDf('tasks', id);
    assert.match(r.stream.text, /0 of 2 task\(s\) done/);
    assert.ok(r.stream.anchors.some((x) => x.path === tasksMd && x.line === 3), `expected T-001 linked to tasks.md:3, got ${JSON.stringify(r.stream.anchors)}`);
    const start = r.stream.buttons.find((b) => b.command === Commands.StartTask);
    assert.ok(start, 'expected a Start button');
    assert.deepEqual(start.arguments, [{ chId: id, task: 'T-001' }]);
    await ok(start.command, start.arguments?.[0]);
    mkdirSync(join(root(), 'site'), { recursive: true });
    writeFileSync(join(root(), 'site', 'greeting.txt'), 'Hello, {name}!\n');
    const again = await askDf('tasks', id);
    const done = again.stream.buttons.find((b) => b.command === Commands.CompleteTask);
    assert.ok(done, `expected a Done button for the task in progress, got ${JSON.stringify(again.stream.buttons)}`);
    const v = await ok<{ outcome: string; evidence_ref: string }>(done.command, done.arguments?.[0]);
    assert.equal(v.outcome, 'done');
    assert.match(v.evidence_ref, /evidence\.json#E-\d+/);
    assert.match(readFileSync(tasksMd, 'utf8'), /- \[x\] T-001 Write the greeting text \(evidence: /);
  });

  it('/implement without a model says so and offers the human-driven mode (task start / done)', async () => {
    await setModelSource('none');
    const r = await askDf('implement', id);
    assert.match(r.stream.text, /No language model for the Implementer:.*dynaforge\.model\.source is none/);
    assert.ok(r.stream.buttons.some((b) => b.command === Commands.StartTask), 'expected the next task offered to start by hand');
  });

  it('an error is an answer that says what is wrong and what to do', async () => {
    const r = await askDf('status', 'CH-999');
    assert.match(r.stream.text, /Could not do it:\*\* there is no change CH-999/);
    assert.match(r.stream.text, /What to do:\*\* `@df \/status` lists the changes/);
  });

  it('no command: what @df can do, then where the active change stands', async () => {
    const r = await askDf(undefined, '');
    for (const c of ['/new', '/implement', '/approve', '/check']) assert.ok(r.stream.text.includes(`\`${c}\``), `expected ${c} in the help`);
    assert.ok(r.stream.text.includes(`**${id}**`), 'expected the active change after the help');
  });

  it('/check and /doctor answer with their findings', async () => {
    const check = await askDf('check', '');
    assert.match(check.stream.text, /\*\*check (passed|FAILED)\*\*: \d+ errors?, \d+ warnings?/);
    const doctor = await askDf('doctor', '');
    assert.match(doctor.stream.text, /✓ \*\*node\*\*/i);
  });
});

describe('@df through the real chat view', () => {
  it('"@df /new …" typed into the chat (workbench.action.chat.open, offline model selected) reaches the participant', async () => {
    const model = await offlineModel();
    const title = 'Export the audit log as CSV';
    await vscode.commands.executeCommand('workbench.action.chat.open', { query: `@df /new ${title}`, modelSelector: { vendor: OFFLINE_VENDOR, id: model.id } });
    const a = await api();
    const row = await waitFor(`a change titled "${title}"`, () => a.snapshot().changes.find((c) => c.change.title === title), 20_000);
    assert.equal(a.snapshot().active?.id, row.change.id);
  });
});
