import { escEngine, type ChatOut } from './chatOut';

/** A finding of check, drift, analyze, checklist or clarify: the fields the chat shows. */
export interface ShownFinding {
  readonly kind: string;
  readonly severity: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly fix: string;
}

const ICON: Record<string, string> = { error: '⛔', warning: '⚠', note: 'ℹ' };

/** Findings, most important first as given, each linked to its file and line, with its fix. At most `max`. */
export function renderFindings(out: ChatOut, findings: readonly ShownFinding[], max = 12): void {
  for (const f of findings.slice(0, max)) {
    out.md(`- ${ICON[f.severity] ?? '•'} ${escEngine(f.message)} \`${f.kind}\``);
    if (f.file) {
      out.md(' — ');
      out.file(f.file, f.line);
    }
    out.md(`\n  *fix:* ${escEngine(f.fix)}\n`);
  }
  if (findings.length > max) out.md(`- … ${findings.length - max} more\n`);
  out.md('\n');
}
