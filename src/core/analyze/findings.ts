import { compareIds } from '../trace/model';

/** The three requirement-hygiene commands; each writes `artifacts/analyze/CH-###/<command>.{json,md}`. */
export const ANALYSIS_COMMANDS = ['analyze', 'checklist', 'clarify'] as const;
export type AnalysisCommand = (typeof ANALYSIS_COMMANDS)[number];

/** `error` and `warning` make a report fail (exit 1); a `note` is information only. */
export const FINDING_SEVERITIES = ['error', 'warning', 'note'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** One thing wrong, or worth knowing, about a change: what, where, and what to do next. */
export interface Finding {
  /** A stable, greppable kind such as `fr-unmapped` or `ambiguity` (docs/formats.md lists them). */
  readonly kind: string;
  readonly severity: FindingSeverity;
  readonly message: string;
  /** Repository-relative path, when the finding points at a file. */
  readonly file?: string;
  /** 1-based line in `file`, when known. */
  readonly line?: number;
  /** What would clear it. */
  readonly fix: string;
  /** The item the finding is about, when it has an id (`Q-2`, `FR-3`, a checklist item). */
  readonly id?: string;
}

export type AnalysisStatus = 'pass' | 'findings';

export interface FindingCounts {
  readonly error: number;
  readonly warning: number;
  readonly note: number;
}

/** What every analysis command writes and prints (`--json`), with command-specific fields added. */
export interface AnalysisReport {
  readonly command: AnalysisCommand;
  readonly ch_id: string;
  /** `pass` when no finding is a warning or an error. */
  readonly status: AnalysisStatus;
  readonly findings: readonly Finding[];
  readonly counts: FindingCounts;
  /** sha256 of every file the analysis read, by repository-relative path. */
  readonly inputs: Readonly<Record<string, string>>;
  /** From the injected clock. */
  readonly timestamp: string;
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const n = (s: FindingSeverity) => findings.filter((f) => f.severity === s).length;
  return { error: n('error'), warning: n('warning'), note: n('note') };
}

export function statusOf(findings: readonly Finding[]): AnalysisStatus {
  return findings.some((f) => f.severity !== 'note') ? 'findings' : 'pass';
}

/**
 * Findings in the order a person reads a compiler's output: by file (findings without one
 * last), line, severity, kind, id, message. Total, so the same findings give the same bytes.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort(
    (a, b) =>
      (a.file === undefined ? 1 : 0) - (b.file === undefined ? 1 : 0) ||
      cmp(a.file ?? '', b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      FINDING_SEVERITIES.indexOf(a.severity) - FINDING_SEVERITIES.indexOf(b.severity) ||
      cmp(a.kind, b.kind) ||
      compareIds(a.id ?? '', b.id ?? '') ||
      cmp(a.message, b.message),
  );
}

/** `file:line`, `file`, or `` when the finding has no place. */
export function where(f: { readonly file?: string; readonly line?: number }): string {
  return f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '';
}

/** `2 errors, 1 warning, 0 notes`. */
export function describeCounts(c: FindingCounts): string {
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  return `${n(c.error, 'error')}, ${n(c.warning, 'warning')}, ${n(c.note, 'note')}`;
}
