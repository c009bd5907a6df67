import { Counter, collectDefaultMetrics, Histogram, Registry } from '@prometheus-io/client';
import type { FastifyInstance } from 'fastify';

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  // The event-loop delay is sampled every 100 ms rather than the default 10 ms: the samples wake
  // the loop, which cost an idle node about 1% of a core (docs/authentication.md#measured). Its
  // utilization is sampled every second rather than every 100 ms: each sample goes into a
  // summary's quantile digests, 2% of the event loop's work during the sign-in benchmark.
  collectDefaultMetrics({
    register: registry,
    prefix: 'vigil_',
    eventLoopMonitoringPrecision: 100,
    eventLoopUtilizationTimeout: 1000,
  });
  return registry;
}

/** Request counts and latencies by route pattern (never the raw URL: it may carry ids). */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'vigil_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
