import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BootstrapService } from '../auth/flows/index.ts';
import { type AuditActor, isAppError } from '../platform/index.ts';
import { bootstrapDonePage, bootstrapFormPage, bootstrapInvalidPage } from './pages/bootstrap.ts';
import { pageCsp } from './security-headers.ts';

function actorOf(request: FastifyRequest): AuditActor {
  return { type: 'anonymous', ip: request.ip, userAgent: request.headers['user-agent'] };
}

const invalidMessage =
  'It is invalid, expired or already used, or bootstrap is closed. An operator can print a fresh link with `vigil admin bootstrap`.';

interface BootstrapBody {
  token?: string;
  email?: string;
  displayName?: string;
  password?: string;
  passwordConfirmation?: string;
}

const bodySchema = {
  type: 'object',
  properties: {
    token: { type: 'string', maxLength: 512 },
    email: { type: 'string', maxLength: 320 },
    displayName: { type: 'string', maxLength: 200 },
    password: { type: 'string', maxLength: 1024 },
    passwordConfirmation: { type: 'string', maxLength: 1024 },
  },
} as const;

/** The one-time first-administrator page (server-rendered, no JavaScript). */
export function registerBootstrapRoutes(app: FastifyInstance, bootstrap: BootstrapService): void {
  app.get<{ Querystring: { token?: string } }>('/bootstrap', async (request, reply) => {
    reply.type('text/html; charset=utf-8').header('content-security-policy', pageCsp);
    const token = request.query.token ?? '';
    if (!(await bootstrap.checkLink(token))) {
      return reply.code(403).send(bootstrapInvalidPage(invalidMessage));
    }
    return bootstrapFormPage({ token });
  });

  app.post<{ Body: BootstrapBody }>(
    '/bootstrap',
    { schema: { body: bodySchema } },
    async (request, reply) => {
      reply.type('text/html; charset=utf-8').header('content-security-policy', pageCsp);
      const body = request.body ?? {};
      const token = body.token ?? '';
      try {
        const user = await bootstrap.complete(
          token,
          {
            email: (body.email ?? '').trim(),
            displayName: (body.displayName ?? '').trim(),
            password: body.password ?? '',
            passwordConfirmation: body.passwordConfirmation ?? '',
          },
          actorOf(request),
        );
        return bootstrapDonePage(user.email);
      } catch (err) {
        if (!isAppError(err)) throw err;
        if (err.code === 'bootstrap.link_invalid') {
          return reply.code(403).send(bootstrapInvalidPage(invalidMessage));
        }
        if (err.kind === 'invalid' || err.kind === 'conflict') {
          const problems = Array.isArray(err.details.problems)
            ? (err.details.problems as string[])
            : [err.message];
          return reply.code(err.kind === 'conflict' ? 409 : 400).send(
            bootstrapFormPage({
              token,
              email: body.email,
              displayName: body.displayName,
              problems,
            }),
          );
        }
        throw err;
      }
    },
  );
}
