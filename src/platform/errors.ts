/**
 * The one internal error type (docs/architecture.md#errors). `expose` says whether `message` may
 * reach a caller.
 */
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

/** The HTTP status each kind answers with (src/http/problem.ts). */
export const statusOfKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  precondition_required: 428,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export interface AppErrorOptions {
  expose?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Built only by the raisers of an error registry (`defineErrors`): `npm run check`
 * (scripts/check-error-sites.ts) refuses `new AppError(` anywhere else.
 */
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

/** One error a module raises: the code and status a client sees, and when it happens. */
export interface ErrorDefinition {
  /** `module.reason`; a `{name}` placeholder makes a family of codes (`request.{fastifyCode}`). */
  readonly code: string;
  readonly kind: ErrorKind;
  /** The message, its `{name}` placeholders filled from the raiser's parameters. */
  readonly message: string;
  /** When it happens, in a sentence for docs/errors.md. */
  readonly meaning: string;
  /** Overrides the kind's default: internal and unavailable errors are not exposed. */
  readonly expose?: boolean;
  /**
   * The status docs/errors.md shows where the answer's is not the kind's: Fastify's own refusals
   * keep the status Fastify gave them (413, 415, …).
   */
  readonly httpStatus?: string;
}

/** What one raise adds to its error besides the placeholders' values. */
export interface RaiseOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

type Placeholders<T extends string> = T extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;

/** The values a definition's placeholders (in its code and message) need. */
export type ErrorParams<D extends ErrorDefinition> = Record<
  Placeholders<D['code']> | Placeholders<D['message']>,
  string | number
>;

/** Builds the AppError of one definition; the caller throws it. */
export type Raiser<D extends ErrorDefinition> = [
  Placeholders<D['code']> | Placeholders<D['message']>,
] extends [never]
  ? (options?: RaiseOptions) => AppError
  : (params: ErrorParams<D> & RaiseOptions) => AppError;

export type ErrorRegistry<R extends Record<string, ErrorDefinition>> = {
  readonly [K in keyof R]: Raiser<R[K]>;
};

const registered: ErrorDefinition[] = [];

/** Every definition of the registries loaded so far, for docs/errors.md and the code lookup. */
export function registeredErrors(): readonly ErrorDefinition[] {
  return registered;
}

function fill(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
}

function raiserOf(definition: ErrorDefinition) {
  return (params: Record<string, unknown> & RaiseOptions = {}): AppError => {
    const { details, cause } = params;
    return new AppError(
      definition.kind,
      fill(definition.code, params),
      fill(definition.message, params),
      {
        expose: definition.expose,
        details,
        cause,
      },
    );
  };
}

/**
 * Declares a module's errors in one place (its `errors.ts`): each one's code, kind (and so HTTP
 * status), message template and meaning. Call sites throw through the raisers:
 * `throw identityErrors.userNotFound()`, `throw rbacErrors.roleNotFound({ key })`.
 */
export function defineErrors<const R extends Record<string, ErrorDefinition>>(
  definitions: R,
): ErrorRegistry<R> {
  registered.push(...Object.values(definitions));
  return Object.fromEntries(
    Object.entries(definitions).map(([name, definition]) => [name, raiserOf(definition)]),
  ) as ErrorRegistry<R>;
}

/** The platform's own errors: configuration, storage and policies. */
export const platformErrors = defineErrors({
  configInvalid: {
    code: 'config.invalid',
    kind: 'invalid',
    message: 'Configuration {key}: {problem}',
    meaning:
      'A setting, the master key or the TLS material is missing or malformed; Vigil does not start (CLI exit code 2).',
    expose: true,
  },
  badScope: {
    code: 'db.bad_scope',
    kind: 'invalid',
    message: 'Organization id must be a UUID',
    meaning: 'An organization scope was opened with an id that is not a UUID.',
  },
  embeddedInUse: {
    code: 'db.embedded_in_use',
    kind: 'unavailable',
    message:
      'The embedded database in {dataDir} is in use by {holder}. Stop it first, or run on PostgreSQL (DATABASE_URL) to share storage between processes.',
    meaning: 'Another process holds the embedded database of this data directory.',
    expose: true,
  },
  migrationChanged: {
    code: 'db.migration_changed',
    kind: 'internal',
    message: 'Migration {name} changed after it was applied; migrations are forward-only',
    meaning: 'An applied migration file was edited; Vigil does not start.',
  },
  schemaNewer: {
    code: 'db.schema_newer',
    kind: 'internal',
    message: 'The database has migrations this version does not know ({names}); run a newer Vigil',
    meaning: 'The database was migrated by a newer Vigil; Vigil does not start.',
  },
  policyInvalid: {
    code: 'policy.invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: 'A policy change (password, session, MFA, lockout) failed validation.',
  },
  policyUnknownPreset: {
    code: 'policy.unknown_preset',
    kind: 'invalid',
    message: 'Unknown {kind} policy preset {preset}; use one of {presets}',
    meaning: 'A policy change names a preset that does not exist.',
  },
  policyStale: {
    code: 'policy.stale',
    kind: 'precondition_failed',
    message: 'The {kind} policy is at version {version}; read it again',
    meaning: 'A policy change was based on a version that is no longer the current one.',
  },
});
