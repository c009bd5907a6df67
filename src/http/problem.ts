import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, isAppError, statusOfKind } from '../platform/index.ts';
import { httpErrors } from './errors.ts';
import { errorPage } from './pages/error.ts';
import { pageCsp } from './security-headers.ts';

const titleOf: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
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

/**
 * The router's refusals, answered before any route or hook. Their own messages repeat the path,
 * which the caller sent and nobody needs back.
 */
const routerErrors: Record<string, () => AppError> = {
  FST_ERR_BAD_URL: httpErrors.badUrl,
  FST_ERR_MAX_PARAM_LENGTH: httpErrors.pathTooLong,
};

/** Whether the router refused the request before it reached a route (no path to repeat). */
const isRouterError = (err: unknown) =>
  (err as FastifyError)?.code !== undefined && (err as FastifyError).code in routerErrors;

/** Maps Fastify's own errors (bad JSON, body too large, validation, bad URL) to AppError. */
function fromFastify(err: FastifyError): AppError {
  const status = err.statusCode ?? 500;
  const routerError = routerErrors[err.code];
  if (routerError) return routerError();
  if (err.validation) {
    return httpErrors.requestInvalid({ problem: err.message, details: { errors: err.validation } });
  }
  if (status === 413) return httpErrors.tooLarge();
  if (status === 415) return httpErrors.unsupportedMediaType();
  if (status >= 400 && status < 500) {
    return httpErrors.fastifyRefused({
      fastifyCode: (err.code ?? 'bad').toLowerCase(),
      problem: err.message,
    });
  }
  return httpErrors.internal({ cause: err });
}

/** Any error as an AppError: ours as it is, Fastify's mapped, anything else internal. */
function appErrorOf(err: unknown): AppError {
  if (isAppError(err)) return err;
  // Two concurrent changes that both passed their checks (two policy versions, two users with
  // one email): the database's unique constraint stopped the second. Read again and retry.
  if ((err as { code?: unknown })?.code === '23505')
    return httpErrors.concurrentChange({ cause: err });
  if ((err as FastifyError)?.statusCode) return fromFastify(err as FastifyError);
  return httpErrors.internal({ cause: err });
}

export function problemOf(err: unknown, request: FastifyRequest): Problem {
  const appError = appErrorOf(err);
  const status =
    (err as FastifyError)?.statusCode && !isAppError(err)
      ? ((err as FastifyError).statusCode as number)
      : statusOfKind[appError.kind];
  const exposed = appError.expose && status < 500;
  const problem: Problem = {
    type: `https://vigil.dev/problems/${appError.code}`,
    title: titleOf[status] ?? 'Error',
    status,
    code: exposed ? appError.code : status === 503 ? 'unavailable' : 'internal',
    requestId: String(request.id),
    ...(isRouterError(err) ? {} : { instance: request.url.split('?')[0] }),
  };
  // 5xx never expose details (docs/architecture.md#errors).
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

/**
 * A browser asking for a page outside the API (docs/architecture.md#errors: a plain page for
 * browsers).
 */
const wantsPage = (request: FastifyRequest) =>
  !request.url.startsWith('/api/') && /\btext\/html\b/.test(request.headers.accept ?? '');

/** An error as a problem document, or as a plain page to a browser outside the API. */
export function sendError(request: FastifyRequest, reply: FastifyReply, problem: Problem) {
  if (!wantsPage(request)) return sendProblem(reply, problem);
  return reply
    .code(problem.status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', pageCsp)
    .send(errorPage(problem));
}
