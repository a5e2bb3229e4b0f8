import * as assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { api, cli, dynaforgeDiagnostics, lensesOf, ok, uriOf, waitFor } from './helpers';

async function decorationOf(uri: vscode.Uri): Promise<vscode.FileDecoration | undefined> {
  return (await (await api()).decorations.provideFileDecoration(uri, new vscode.CancellationTokenSource().token)) ?? undefined;
}

async function quickFixes(uri: vscode.Uri, d: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  await vscode.workspace.openTextDocument(uri);
  const all = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value)) ?? [];
  return all.filter((a) => a.title.startsWith('Dynaforge:'));
}

async function runFix(fix: vscode.CodeAction | undefined): Promise<void> {
  assert.ok(fix?.command, 'expected the quick fix to carry a command');
  await ok(fix.command.command, fix.command.arguments?.[0]);
}

describe('Problems: drift and trace gaps as diagnostics, with quick fixes', () => {
  it('a stale approval is a warning on the changed artifact; its quick fix re-approves through reconcile', async () => {
    const brief = uriOf('changes/CH-002/brief.md');
    const d = await waitFor('an approval-stale diagnostic on CH-002/brief.md', () => dynaforgeDiagnostics(brief).find((x) => x.code === 'approval-stale'));
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d.message, /the frame approval by E2E Tester .* is stale: brief\.md changed/);
    const fixes = await quickFixes(brief, d);
    assert.deepEqual(fixes.map((f) => f.title), ['Dynaforge: Re-approve (approval-stale)']);
    await runFix(fixes[0]);
    await waitFor('the diagnostic to go', () => !dynaforgeDiagnostics(brief).some((x) => x.code === 'approval-stale'));
    assert.match((await lensesOf(brief)).map((l) => l.command?.title).join(' | '), /frame approved by E2E Tester/);
  });

  it('an artifact derived from a source that moved is a warning on line 1; Regenerate fixes it', async () => {
    appendFileSync(uriOf('changes/CH-001/spec.md').fsPath, '\n- FR-9: a new requirement added by hand\n');
    const plan = uriOf('changes/CH-001/plan.md');
    const d = await waitFor('an artifact-stale diagnostic on CH-001/plan.md', () => dynaforgeDiagnostics(plan).find((x) => x.code === 'artifact-stale'));
    assert.equal(d.range.start.line, 0);
    const mark = await decorationOf(plan);
    assert.equal(mark?.badge, '!', 'expected the stale plan.md decorated with "!" in the Explorer');
    assert.equal(mark?.propagate, true, 'expected the drift mark to show on its folders too');
    assert.match(mark?.tooltip ?? '', /^Dynaforge drift — CH-001: /);
    const fixes = await quickFixes(plan, d);
    assert.deepEqual(fixes.map((f) => f.title), ['Dynaforge: Regenerate (artifact-stale)', 'Dynaforge: Accept as intentional… (artifact-stale)']);
    await runFix(fixes[0]);
    await waitFor('the artifact-stale diagnostic on plan.md to go', () => !dynaforgeDiagnostics(plan).some((x) => x.code === 'artifact-stale'));
    assert.equal((await decorationOf(plan))?.badge, undefined, 'expected the drift mark gone with the drift');
  });

  it('a trace gap (a high-risk change naming no requirement) is a warning on its change.yaml', async () => {
    await cli(['new', 'Harden the session cookies', '--risk', 'high']);
    const file = uriOf('changes/CH-003/change.yaml');
    const d = await waitFor('a trace-gap diagnostic on CH-003/change.yaml', () => dynaforgeDiagnostics(file).find((x) => x.code === 'trace-gap'), 10_000);
    assert.match(d.message, /CH-003 is high risk and names no requirement/);
    const a = await api();
    assert.ok(a.drift().items.some((f) => f.kind === 'trace-gap' && f.ch_id === 'CH-003'));
  });

  it('files in the active change\'s scope carry a dot in the Explorer; files outside it none', async () => {
    const a = await api();
    const before = a.snapshot().active?.id;
    const file = uriOf('changes/CH-003/change.yaml');
    writeFileSync(file.fsPath, readFileSync(file.fsPath, 'utf8').replace('  paths: []', '  paths:\n    - cookies\n    - "web/**/*.css"'));
    await cli(['use', 'CH-003']);
    const mark = await waitFor('a scope dot on cookies/session.js', async () => {
      await a.whenIdle();
      return (await decorationOf(uriOf('cookies/session.js')))?.badge === '•' && decorationOf(uriOf('cookies/session.js'));
    }, 10_000);
    assert.equal(mark?.tooltip, 'In the scope of CH-003 (the active change)');
    assert.equal((await decorationOf(uriOf('web/theme/dark.css')))?.badge, '•', 'expected a glob scope to match');
    assert.equal(await decorationOf(uriOf('web/theme/dark.js')), undefined);
    assert.equal(await decorationOf(uriOf('cookiesx/other.js')), undefined, 'a folder scope is not a name prefix');
    if (before) await cli(['use', before]);
  });
});
