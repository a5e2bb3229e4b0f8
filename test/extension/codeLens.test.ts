import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { Commands } from '../../src/extension/constants';
import { api, lensesOf, ok, settle, sleep, uriOf, waitFor } from './helpers';

const titles = (lenses: vscode.CodeLens[]) => lenses.map((l) => l.command?.title ?? '');

describe('CodeLens on change artifacts and task lines', () => {
  const brief = uriOf('changes/CH-002/brief.md');

  it('brief.md of a new change offers "Approve frame" · "Deny", wired to the commands with change and stage', async () => {
    await vscode.window.showTextDocument(brief);
    const lenses = await waitFor('Approve/Deny lenses on brief.md', async () => {
      const l = await lensesOf(brief);
      return titles(l).includes('Approve frame') && l;
    });
    assert.deepEqual(titles(lenses), ['Approve frame', 'Deny']);
    const approve = lenses[0]?.command;
    assert.equal(approve?.command, Commands.Approve);
    assert.deepEqual(approve?.arguments, [{ chId: 'CH-002', stage: 'frame' }]);
    assert.equal(lenses[1]?.command?.command, Commands.Deny);
  });

  it('running the lens command approves; the lens then says who approved', async () => {
    const lens = (await lensesOf(brief))[0]?.command;
    assert.ok(lens);
    await ok(lens.command, lens.arguments?.[0]);
    const after = titles(await lensesOf(brief));
    assert.equal(after.length, 1);
    assert.match(after[0] ?? '', /frame approved by E2E Tester/);
  });

  it('editing the approved brief on disk turns the lens into "approval stale — re-approve" and offers Reconcile (n)', async () => {
    appendFileSync(brief.fsPath, '\nOne more sentence after the approval.\n');
    const a = await api();
    const lenses = await waitFor('a stale-approval lens and a Reconcile lens', async () => {
      await a.whenIdle();
      const t = titles(await lensesOf(brief));
      return t.some((x) => x.includes('frame approval stale — re-approve')) && t.some((x) => /^Reconcile \(\d+\)$/.test(x)) && t;
    });
    const reconcile = (await lensesOf(brief)).find((l) => l.command?.title.startsWith('Reconcile'))?.command;
    assert.equal(reconcile?.command, Commands.Reconcile);
    assert.deepEqual(reconcile?.arguments, [{ chId: 'CH-002' }]);
    assert.ok(lenses.includes('Deny'));
  });

  it('task lines of tasks.md carry their state; the lens sets a new state in the file (saved)', async () => {
    const tasks = uriOf('changes/CH-001/tasks.md');
    const text = readFileSync(tasks.fsPath, 'utf8');
    writeFileSync(tasks.fsPath, `${text.replace(/\n*$/, '\n')}- [ ] T-101 Write the limiter\n- [x] T-102 Measure the baseline\n`);
    const doc = await vscode.workspace.openTextDocument(tasks);
    await vscode.window.showTextDocument(doc);
    const line = doc.getText().split('\n').findIndex((l) => l.includes('T-101'));
    const onLine = async (n: number) => (await lensesOf(tasks)).filter((l) => l.range.start.line === n);
    const lenses = await waitFor('state lenses on the T-101 line', async () => {
      const l = await onLine(line);
      return l.length > 0 && l;
    });
    assert.deepEqual(titles(lenses), ['$(circle-large-outline) todo', '$(play) Start']);
    assert.deepEqual(titles(await onLine(line + 1)), ['$(pass) done']);
    const cmd = lenses[0]?.command;
    assert.equal(cmd?.command, Commands.SetTaskState);
    assert.deepEqual(cmd?.arguments, [{ uri: tasks.toString(), line: line + 1 }]);
    // A click asks for the state in a quick pick; the test gives the answer as the argument.
    await ok(Commands.SetTaskState, { ...(cmd?.arguments?.[0] as object), state: 'doing' });
    assert.match(readFileSync(tasks.fsPath, 'utf8'), /^- \[~\] T-101 Write the limiter$/m, 'expected the line saved as doing');
    const a = await api();
    await waitFor('T-101 as doing in the snapshot', async () => {
      await a.whenIdle();
      return a.snapshot().changes.find((c) => c.change.id === 'CH-001')?.tasks.find((t) => t.id === 'T-101')?.state === 'doing';
    });
  });

  it('Start on a todo task line runs the engine\'s task start; then Done records the diff since the start as evidence', async () => {
    const tasks = uriOf('changes/CH-001/tasks.md');
    writeFileSync(tasks.fsPath, `${readFileSync(tasks.fsPath, 'utf8').replace(/\n*$/, '\n')}- [ ] T-103 Write the limiter notes\n`);
    const a = await api();
    const lineOf = () => readFileSync(tasks.fsPath, 'utf8').split('\n').findIndex((l) => l.includes('T-103'));
    const lensNamed = (title: string) =>
      waitFor(`a "${title}" lens on the T-103 line`, async () => {
        await a.whenIdle();
        return (await lensesOf(tasks)).find((l) => l.range.start.line === lineOf() && l.command?.title === title)?.command;
      });
    const start = await lensNamed('$(play) Start');
    assert.equal(start.command, Commands.StartTask);
    assert.deepEqual(start.arguments, [{ chId: 'CH-001', task: 'T-103' }]);
    await ok(start.command, start.arguments?.[0]);
    assert.match(readFileSync(tasks.fsPath, 'utf8'), /^- \[~\] T-103 Write the limiter notes$/m, 'expected the engine to mark T-103 doing');
    const done = await lensNamed('$(check) Done (with evidence)');
    assert.equal(done.command, Commands.CompleteTask);
    mkdirSync(uriOf('notes').fsPath, { recursive: true });
    writeFileSync(uriOf('notes/limiter.md').fsPath, '# Limiter\n\nTen requests a second per client.\n');
    await ok(done.command, done.arguments?.[0]);
    assert.match(readFileSync(tasks.fsPath, 'utf8'), /^- \[x\] T-103 Write the limiter notes .*evidence\.json#E-\d+/m, 'expected T-103 done with a link to its evidence');
    const evidence = readFileSync(uriOf('changes/CH-001/evidence.json').fsPath, 'utf8');
    assert.match(evidence, /notes\/limiter\.md/, 'expected the new file in the evidence');
    await lensNamed('$(pass) done');
  });

  it('typing in an artifact updates its lenses without rescanning the project', async () => {
    const tasks = uriOf('changes/CH-001/tasks.md');
    const doc = await vscode.workspace.openTextDocument(tasks);
    const a = await api();
    await settle(a);
    const before = a.refreshCount();
    for (let i = 0; i < 15; i++) {
      const edit = new vscode.WorkspaceEdit();
      const last = doc.lineAt(doc.lineCount - 1);
      // Spaces at the end of the file, then a new task line in front of them.
      edit.insert(tasks, i === 14 ? last.range.start : last.range.end, i === 14 ? '- [ ] T-199 Typed, not saved\n' : ' ');
      await vscode.workspace.applyEdit(edit);
    }
    const line = doc.getText().split('\n').findIndex((l) => l.includes('T-199'));
    assert.ok(line > 0, 'expected the typed task line in the document');
    await waitFor(`a lens on the unsaved task line ${line + 1}`, async () => (await lensesOf(tasks)).some((l) => l.range.start.line === line));
    assert.ok(doc.isDirty, 'expected the document to be unsaved');
    await sleep(800);
    assert.equal(a.refreshCount(), before, 'expected no project refresh for unsaved edits');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
