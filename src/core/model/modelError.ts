import { DfError, type DfErrorCode, type DfErrorWhere } from '../errors';

/**
 * What went wrong with a model call, finer than `DfError.code`, so that the agent loop can
 * decide (e.g. `cassette-miss` in a test, `rate-limited` worth a later retry).
 */
export type ModelErrorReason =
  /** `model.provider` is `none`. */
  | 'not-configured'
  /** The model settings (config.yaml or env) are incomplete or invalid. */
  | 'config'
  /** A scripted model has no recorded response for the request. */
  | 'cassette-miss'
  /** A cassette line is not a valid entry, or the cassette file is missing. */
  | 'cassette-invalid'
  | 'connection'
  | 'timeout'
  /** HTTP 429 after every retry, or a Retry-After longer than we are willing to wait. */
  | 'rate-limited'
  /** HTTP 5xx after every retry. */
  | 'server'
  /** Any other HTTP error status (401, 404, 400 …). */
  | 'http'
  /** A body, event stream or tool call the client cannot read. */
  | 'bad-response'
  /** The provider reported an error in an otherwise well-formed answer. */
  | 'provider'
  | 'cancelled';

export interface ModelErrorDetails {
  readonly status?: number;
  /** HTTP attempts made, retries included. */
  readonly attempts?: number;
}

/** A DfError from the model layer. Messages are redacted before they get here (see secrets.ts). */
export class ModelError extends DfError {
  readonly status?: number;
  readonly attempts?: number;

  constructor(
    readonly reason: ModelErrorReason,
    code: DfErrorCode,
    message: string,
    fix: string,
    where: DfErrorWhere = {},
    details: ModelErrorDetails = {},
  ) {
    super(code, message, fix, where);
    this.status = details.status;
    this.attempts = details.attempts;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, status: this.status, attempts: this.attempts };
  }
}

export function isModelError(e: unknown): e is ModelError {
  return e instanceof ModelError;
}

/** The error for an aborted call, whatever the provider. */
export function cancelledError(what: string): ModelError {
  return new ModelError('cancelled', 'io', `the request to ${what} was cancelled`, 'nothing to fix: run the command again to retry');
}
