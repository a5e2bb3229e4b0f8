/**
 * The one error type the engine throws for anything a user can fix. Faces render it as
 * "what is wrong, where (file:line:column or field), what to do next" and map `exitCode`.
 */
export type DfErrorCode =
  | 'usage'
  | 'not-initialized'
  | 'invalid-yaml'
  | 'invalid-schema'
  | 'invalid-id'
  | 'unknown-change'
  | 'invalid-scope'
  | 'invalid-title'
  | 'audit-readonly'
  | 'audit-torn'
  | 'audit-corrupt'
  | 'io'
  | 'git'
  | 'lock-timeout'
  | 'conflict'
  | 'not-found';

export interface DfErrorWhere {
  /** Repository-relative (or absolute, outside a repo) path of the file at fault. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** Dotted field path inside the file, e.g. `scope.paths[2]`. */
  readonly field?: string;
}

export class DfError extends Error {
  constructor(
    readonly code: DfErrorCode,
    message: string,
    /** What the user should do next; always present so no error is a dead end. */
    readonly fix: string,
    readonly where: DfErrorWhere = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DfError';
  }

  /** 2 for usage errors (wrong arguments), 1 for everything else. */
  get exitCode(): number {
    return this.code === 'usage' || this.code === 'invalid-id' ? 2 : 1;
  }

  /** `file:line:column` or `file (field)`, whatever is known; empty when nothing is. */
  location(): string {
    const { file, line, column, field } = this.where;
    if (!file && !field) return '';
    let loc = file ?? '';
    if (line !== undefined) loc += `:${line}${column !== undefined ? `:${column}` : ''}`;
    if (field) loc += loc ? ` (field ${field})` : `field ${field}`;
    return loc;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, fix: this.fix, ...this.where };
  }
}

export function isDfError(e: unknown): e is DfError {
  return e instanceof DfError;
}

/** Node's errno code of an fs error, if any. */
export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
