import type { FastifyInstance } from 'fastify';
import { registerAccountPages } from './account-routes.ts';
import { type AccountDeps, createPageContext } from './context.ts';
import { registerInteractionRoutes } from './interaction-routes.ts';
import { registerResetRoutes } from './reset-routes.ts';
import { registerSignInRoutes } from './sign-in-routes.ts';
import { registerSsoRoutes } from './sso-routes.ts';

export type { AccountDeps } from './context.ts';

/** The hosted pages: sign-in, password reset, the account page and OAuth interactions. */
export function registerAccountRoutes(app: FastifyInstance, deps: AccountDeps): void {
  const ctx = createPageContext(deps);
  registerSignInRoutes(app, ctx);
  registerResetRoutes(app, ctx);
  registerAccountPages(app, ctx);
  registerInteractionRoutes(app, ctx);
  registerSsoRoutes(app, ctx);
}
