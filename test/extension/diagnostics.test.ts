import * as assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { api, cli, dynaforgeDiagnostics, lensesOf, ok, uriOf, waitFor } from './helpers';

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
    const fixes = await quickFixes(plan, d);
    assert.deepEqual(fixes.map((f) => f.title), ['Dynaforge: Regenerate (artifact-stale)', 'Dynaforge: Accept as intentional… (artifact-stale)']);
    await runFix(fixes[0]);
    await waitFor('the artifact-stale diagnostic on plan.md to go', () => !dynaforgeDiagnostics(plan).some((x) => x.code === 'artifact-stale'));
  });

  it('a trace gap (a high-risk change naming no requirement) is a warning on its change.yaml', async () => {
    await cli(['new', 'Harden the session cookies', '--risk', 'high']);
    const file = uriOf('changes/CH-003/change.yaml');
    const d = await waitFor('a trace-gap diagnostic on CH-003/change.yaml', () => dynaforgeDiagnostics(file).find((x) => x.code === 'trace-gap'), 10_000);
    assert.match(d.message, /CH-003 is high risk and names no requirement/);
    const a = await api();
    assert.ok(a.drift().items.some((f) => f.kind === 'trace-gap' && f.ch_id === 'CH-003'));
  });
});
