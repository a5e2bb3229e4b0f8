import { isDfError } from '../core/errors';

/** Where a command writes: injected so tests and the demo can capture it. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** An error as a person reads it: what, where, and what to do next. */
export function formatError(e: unknown): string {
  if (isDfError(e)) {
    const loc = e.location();
    const where = loc && !e.message.includes(loc) ? `\n  at ${loc}` : '';
    return `dynaforge: error: ${e.message}${where}\n  fix: ${e.fix}`;
  }
  const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return `dynaforge: internal error: ${msg}\n  fix: this is a bug in dynaforge; please report it with the command you ran`;
}

export function errorJson(e: unknown): Record<string, unknown> {
  return isDfError(e) ? { ok: false, error: e.toJSON() } : { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
}

/** Left-aligned columns, for lists. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - [...c].length))).join('  ')).join('\n');
}

/** Why a change is active, as a person reads it: `DF_CHANGE`, `` `dynaforge use` `` or `branch ch/CH-012-…`. */
export function activeVia(source: 'env' | 'use' | 'branch', branch: string | undefined): string {
  return source === 'env' ? 'DF_CHANGE' : source === 'use' ? '`dynaforge use`' : `branch ${branch}`;
}
