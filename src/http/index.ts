export { sessionTokenOf } from './account/cookies.ts';
export { apiPrefix, apiRoutes } from './api/index.ts';

import { logoutConfirmPage, oauthErrorPage, oauthSignedOutPage } from './account/oauth-pages.ts';

export type { Readiness } from './health-routes.ts';
export { createMetricsRegistry } from './metrics.ts';
export { type Problem, problemOf } from './problem.ts';

import { oauthPageCsp } from './security-headers.ts';

export { createHttpServer, type HttpDeps, routesOf, type TlsMaterial } from './server.ts';
export const oauthPages = {
  error: oauthErrorPage,
  logoutConfirm: logoutConfirmPage,
  loggedOut: oauthSignedOutPage,
  policy: oauthPageCsp,
};
