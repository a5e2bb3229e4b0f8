import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../src/extension/constants';
import { askDf, planAnswer, scriptLeft, scriptModel, setModelSource } from './chatHelpers';
import { api, cli, root, settle, treeRows, waitFor } from './helpers';

const GREET = "module.exports = (name) => `Hello, ${name}!`;\n";
const OLD = "module.exports = () => 'hi';\n";

describe('@df /implement with the chat model (the offline model plays a scripted answer)', () => {
  let id = '';
  let config = '';

  before(async () => {
    // A change whose scope is src/, and a declared test the Implementer's verdict runs.
    const out = await cli(['new', 'Greeting module', '--scope', 'src', '--use']);
    id = /Created (CH-\d{3,})/.exec(out)?.[1] ?? '';
    assert.ok(id, `expected the CLI to create a change, got: ${out}`);
    const file = join(root(), '.dynaforge', 'config.yaml');
    config = readFileSync(file, 'utf8');
    writeFileSync(file, config.replace('tests: []\n', 'tests:\n  - name: unit\n    command: test -f src/greet.js\n'));
    await setModelSource('vscode-lm');
    await settle(await api());
  });

  after(async () => {
    writeFileSync(join(root(), '.dynaforge', 'config.yaml'), config);
    await setModelSource('config');
  });

  it('streams the plan and each micro-task live, links the file it wrote, and ends with the run succeeded', async () => {
    mkdirSync(join(root(), 'src'), { recursive: true });
    writeFileSync(join(root(), 'src', 'greet.js'), OLD);
    await vscode.window.showTextDocument(vscode.Uri.file(join(root(), 'src', 'greet.js')));
    scriptModel([
      planAnswer([{ title: 'Add the greeting module', files: ['src/greet.js'], verify: ['unit'] }]),
      { toolCalls: [{ name: 'write_file', input: { path: 'src/greet.js', content: GREET } }] },
      { text: 'Added src/greet.js; the unit check passes.' },
    ]);
    const r = await askDf('implement', id);
    const text = r.stream.text;
    assert.equal(scriptLeft(), 0, `expected the model to be asked three times; answer:\n${text}`);
    assert.match(text, /\*\*Plan:\*\* 1 micro-task\(s\)\n- task-1 Add the greeting module/);
    assert.match(text, /\*\*task-1\*\* Add the greeting module — running/);
    assert.match(text, /- modified src\/greet\.js/);
    assert.match(text, /verification \*\*unit\*\*: passed/);
    assert.match(text, /✓ \*\*task-1\*\* done: src\/greet\.js/);
    assert.match(text, /\*\*Run artifacts\/work\/CH-\d+\/run-1 succeeded\*\*: 1 of 1 micro-task\(s\) done/);
    assert.ok(r.stream.progressText.some((p) => /Step 1: planning/.test(p)), `expected step progress, got ${JSON.stringify(r.stream.progressText)}`);
    assert.ok(r.stream.anchors.some((a) => a.path === join(root(), 'src', 'greet.js')), 'expected a link to the file written');
    assert.ok(r.stream.buttons.some((b) => b.command === Commands.AbortRun), 'expected an Abort button while it ran');
    assert.equal(readFileSync(join(root(), 'src', 'greet.js'), 'utf8'), GREET);
  });

  it('the run shows in the Changes tree under Implementer Runs, and opens its run.json', async () => {
    const a = await api();
    const row = await waitFor('run-1 under Implementer Runs', async () => {
      await a.whenIdle();
      return (await treeRows(a)).find((r) => r.node.kind === 'run' && r.node.chId === id && r.path.endsWith('/Implementer Runs/run-1'));
    });
    assert.match(row.description, /^succeeded · \d+\/\d+ steps$/);
    assert.equal(row.item.contextValue, 'dynaforge.run.succeeded');
    const target = row.item.command?.arguments?.[0] as vscode.Uri | undefined;
    assert.ok(target, 'expected the run to open a file');
    assert.equal(target.fsPath, join(root(), 'artifacts', 'work', id, 'run-1', 'run.json'));
    assert.equal(JSON.parse(readFileSync(target.fsPath, 'utf8')).status, 'succeeded');
  });

  it("the run's edit is an editor edit: the open document shows it, saved, and Undo takes it back", async () => {
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.uri.fsPath.endsWith('src/greet.js'), 'expected src/greet.js in the active editor');
    assert.equal(editor.document.getText(), GREET);
    assert.equal(editor.document.isDirty, false, 'expected the edit saved');
    await vscode.commands.executeCommand('undo');
    await waitFor('Undo to bring back the text before the run', () => editor.document.getText() === OLD);
    await vscode.commands.executeCommand('redo');
    await waitFor('Redo to bring the run\'s text back, as saved', () => editor.document.getText() === GREET && !editor.document.isDirty);
  });

  it('/implement … abort undoes the run: the file is back as it was, the summary it wrote is gone', async () => {
    const r = await askDf('implement', `${id} abort`);
    assert.match(r.stream.text, /Aborted \*\*artifacts\/work\/CH-\d+\/run-1\*\*: 1 file\(s\) restored, 1 deleted/);
    assert.equal(readFileSync(join(root(), 'src', 'greet.js'), 'utf8'), OLD);
    assert.equal(existsSync(join(root(), 'changes', id, 'CHANGE_SUMMARY.md')), false);
    await waitFor('the open editor to show the restored text', () => vscode.window.activeTextEditor?.document.getText() === OLD);
  });
});
