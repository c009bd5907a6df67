import type { FastifyInstance } from 'fastify';
import { sendProblem } from './problem.ts';

export interface Readiness {
  /** Problems that make this node unready (empty when ready). */
  check(): Promise<string[]>;
}

export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  // Liveness: the process answers. Orchestrators restart a node that stops answering.
  app.get('/healthz', async () => ({ status: 'ok' }));

  // Readiness: the database answers and its schema is current; otherwise take no traffic.
  app.get('/readyz', async (request, reply) => {
    const problems = await readiness.check().catch(() => ['readiness check failed']);
    if (problems.length === 0) return { status: 'ready' };
    request.log.warn({ problems }, 'not ready');
    return sendProblem(reply, {
      type: 'https://vigil.dev/problems/unavailable',
      title: 'Service Unavailable',
      status: 503,
      code: 'not_ready',
      detail: problems.join('; '),
      requestId: String(request.id),
    });
  });
}
