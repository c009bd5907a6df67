import type { FastifyReply, FastifyRequest } from 'fastify';
import { type JsonObject, type ScimCall, scimContentType, scimErrors } from '../../scim/index.ts';

/** The authenticated call of each SCIM request (set by the authentication hook). */
const calls = new WeakMap<FastifyRequest, ScimCall>();

export function setCall(request: FastifyRequest, call: ScimCall): void {
  calls.set(request, call);
}

/** The request's SCIM call; a route is never reached without one. */
export function callOf(request: FastifyRequest): ScimCall {
  const call = calls.get(request);
  if (!call) throw scimErrors.unauthorized();
  return call;
}

/** The request's query string parameters (absent ones undefined). */
export const queryOf = (request: FastifyRequest) =>
  (request.query ?? {}) as Record<string, unknown>;

/** The request's path parameter `name`. */
export const paramOf = (request: FastifyRequest, name: string) =>
  String((request.params as Record<string, unknown>)[name] ?? '');

/** The If-Match header, when one was sent. */
export const ifMatchOf = (request: FastifyRequest): string | undefined => {
  const header = request.headers['if-match'];
  return Array.isArray(header) ? header.join(', ') : header;
};

/** A SCIM answer: the document, with its version as the ETag when it has one. */
export function sendScim(
  reply: FastifyReply,
  status: number,
  document: JsonObject,
  version?: string,
): FastifyReply {
  if (version) reply.header('etag', version);
  return reply.code(status).type(scimContentType).send(document);
}
