/** The one internal error type (DESIGN §6). `expose` says whether `message` may reach a caller. */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  /** An `If-Match` that no longer matches (HTTP 412). */
  | 'precondition_failed'
  /** An update sent without `If-Match` where one is required (HTTP 428). */
  | 'precondition_required'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface AppErrorOptions {
  expose?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  /** `module.reason`, stable for clients and tests. */
  readonly code: string;
  readonly expose: boolean;
  readonly details: Record<string, unknown>;

  constructor(kind: ErrorKind, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.expose = options.expose ?? (kind !== 'internal' && kind !== 'unavailable');
    this.details = options.details ?? {};
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
