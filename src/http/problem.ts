import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorKind, isAppError } from '../platform/index.ts';

const statusOf: Record<ErrorKind, number> = {
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

const titleOf: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** RFC 9457 problem details. `code` is Vigil's stable `module.reason`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  requestId: string;
  errors?: unknown[];
}

/** Maps Fastify's own errors (bad JSON, body too large, validation) to AppError. */
function fromFastify(err: FastifyError): AppError {
  const status = err.statusCode ?? 500;
  if (err.validation) {
    return new AppError('invalid', 'request.invalid', err.message, {
      details: { errors: err.validation },
    });
  }
  if (status === 413) return new AppError('invalid', 'request.too_large', 'The body is too large');
  if (status === 415) {
    return new AppError('invalid', 'request.unsupported_media_type', 'Unsupported content type');
  }
  if (status >= 400 && status < 500) {
    return new AppError('invalid', `request.${(err.code ?? 'bad').toLowerCase()}`, err.message);
  }
  return new AppError('internal', 'internal', 'Internal error', { cause: err });
}

/** Any error as an AppError: ours as it is, Fastify's mapped, anything else internal. */
function appErrorOf(err: unknown): AppError {
  if (isAppError(err)) return err;
  // Two concurrent changes that both passed their checks (two policy versions, two users with
  // one email): the database's unique constraint stopped the second. Read again and retry.
  if ((err as { code?: unknown })?.code === '23505')
    return new AppError(
      'conflict',
      'request.concurrent_change',
      'Another change was made at the same time; read again and retry',
      { cause: err },
    );
  if ((err as FastifyError)?.statusCode) return fromFastify(err as FastifyError);
  return new AppError('internal', 'internal', 'Internal error', { cause: err });
}

export function problemOf(err: unknown, request: FastifyRequest): Problem {
  const appError = appErrorOf(err);
  const status =
    (err as FastifyError)?.statusCode && !isAppError(err)
      ? ((err as FastifyError).statusCode as number)
      : statusOf[appError.kind];
  const exposed = appError.expose && status < 500;
  const problem: Problem = {
    type: `https://vigil.dev/problems/${appError.code}`,
    title: titleOf[status] ?? 'Error',
    status,
    code: exposed ? appError.code : status === 503 ? 'unavailable' : 'internal',
    requestId: String(request.id),
    instance: request.url.split('?')[0],
  };
  // 5xx never expose details (DESIGN §6).
  if (exposed) {
    problem.detail = appError.message;
    const errors = appError.details.errors ?? appError.details.problems;
    if (Array.isArray(errors)) problem.errors = errors;
  }
  return problem;
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type('application/problem+json').send(problem);
}
