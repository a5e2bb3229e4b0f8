import * as vscode from 'vscode';
import type { Finding, FindingSeverity } from '../../core/drift/model';
import { DISPLAY_NAME } from '../constants';
import { Disposable } from '../lifecycle';
import type { ProjectModel } from '../project/projectModel';

const SEVERITY: Record<FindingSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  note: vscode.DiagnosticSeverity.Information,
};

/**
 * Drift items, trace gaps and validation findings as diagnostics in the Problems panel, each
 * on the file and line the engine names (findings without a file sit on the change's
 * change.yaml, or on .dynaforge/config.yaml). Quick fixes find their item again with `findingAt`.
 */
export class DriftDiagnostics extends Disposable {
  readonly collection = this._register(vscode.languages.createDiagnosticCollection('dynaforge'));
  private byUri = new Map<string, { diagnostic: vscode.Diagnostic; finding: Finding }[]>();

  constructor(private readonly model: ProjectModel) {
    super();
    this._register(model.onDidChange(() => this.update()));
  }

  /** The finding behind a diagnostic the editor hands back (a copy: matched by line, code and message). */
  findingAt(uri: vscode.Uri, d: vscode.Diagnostic): Finding | undefined {
    const code = typeof d.code === 'object' ? d.code.value : d.code;
    return this.byUri.get(uri.toString())?.find((e) => e.diagnostic.range.start.line === d.range.start.line && e.finding.kind === code && e.diagnostic.message === d.message)?.finding;
  }

  private update(): void {
    const s = this.model.snapshot;
    const root = s.root ? vscode.Uri.file(s.root) : undefined;
    const next = new Map<string, { uri: vscode.Uri; entries: { diagnostic: vscode.Diagnostic; finding: Finding }[] }>();
    if (root && s.state === 'ready' && this.model.drift.computed) {
      for (const f of this.model.drift.items) {
        const rel = f.file ?? (f.ch_id ? `changes/${f.ch_id}/change.yaml` : '.dynaforge/config.yaml');
        const uri = vscode.Uri.joinPath(root, rel);
        const line = Math.max(0, (f.line ?? 1) - 1);
        const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 10_000), `${f.message}. Fix: ${f.fix}`, SEVERITY[f.severity]);
        d.source = DISPLAY_NAME;
        d.code = f.kind;
        const bucket = next.get(uri.toString()) ?? { uri, entries: [] };
        bucket.entries.push({ diagnostic: d, finding: f });
        next.set(uri.toString(), bucket);
      }
    } else if (root && s.state === 'broken' && s.error) {
      const line = Math.max(0, (s.error.where.line ?? 1) - 1);
      const uri = vscode.Uri.joinPath(root, s.error.where.file ?? '.dynaforge/config.yaml');
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 10_000), `${s.error.message}. Fix: ${s.error.fix}`, vscode.DiagnosticSeverity.Error);
      d.source = DISPLAY_NAME;
      d.code = s.error.code;
      this.collection.clear(); // nothing else can be computed while the project does not load
      this.collection.set(uri, [d]);
      this.byUri = new Map();
      return;
    } else if (s.state === 'ready' && !this.model.drift.computed) {
      return; // keep what is shown until drift has been computed again
    }
    this.collection.clear();
    for (const { uri, entries } of next.values()) this.collection.set(uri, entries.map((e) => e.diagnostic));
    this.byUri = new Map([...next].map(([k, v]) => [k, v.entries]));
  }
}
