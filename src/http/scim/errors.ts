import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, isAppError } from '../../platform/index.ts';
import { scimContentType, scimErrorOf, scimErrors } from '../../scim/index.ts';
import { httpErrors } from '../errors.ts';

/** Any error of a SCIM request as the AppError its answer is made of. */
function appErrorOf(err: unknown): { error: AppError; status?: number } {
  if (isAppError(err)) return { error: err };
  // Two concurrent creates of one userName: the unique index stopped the second.
  if ((err as { code?: unknown })?.code === '23505')
    return {
      error: scimErrors.uniqueness({ detail: 'another resource has this value; read it again' }),
    };
  const fastify = err as FastifyError;
  const status = fastify?.statusCode;
  if (status === 413) return { error: httpErrors.tooLarge(), status };
  if (status === 415) return { error: httpErrors.unsupportedMediaType(), status };
  // Fastify's 400s are the body's: not JSON, empty where one is needed.
  if (status === 400)
    return {
      error: scimErrors.invalidSyntax({ detail: `the body is not JSON: ${fastify.message}` }),
    };
  if (status !== undefined && status >= 400 && status < 500)
    return {
      error: httpErrors.fastifyRefused({
        fastifyCode: (fastify.code ?? 'bad').toLowerCase(),
        problem: fastify.message,
      }),
      status,
    };
  return { error: httpErrors.internal({ cause: err }) };
}

/**
 * Answers an error in SCIM's format (RFC 7644 §3.12) with its status; a 401 names the Bearer
 * scheme (RFC 6750). 5xx answers carry no detail.
 */
export function sendScimError(request: FastifyRequest, reply: FastifyReply, err: unknown) {
  const { error, status: fastifyStatus } = appErrorOf(err);
  const { status: kindStatus, body } = scimErrorOf(error);
  const status = fastifyStatus ?? kindStatus;
  if (status >= 500) request.log.error({ err }, 'SCIM request failed');
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="scim"');
  return reply
    .code(status)
    .type(scimContentType)
    .send({ ...body, status: String(status) });
}
