export type { Readiness } from './health-routes.ts';
export { createMetricsRegistry } from './metrics.ts';
export { type Problem, problemOf } from './problem.ts';
export { createHttpServer, type HttpDeps, type TlsMaterial } from './server.ts';
