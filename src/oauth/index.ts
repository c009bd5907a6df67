export {
  type ClientInput,
  type ClientService,
  clientInputSchema,
  clientSecretColumn,
  type OAuthClient,
  previousClientSecretColumn,
} from './clients.ts';
export { consoleClientId, consolePath } from './console-client.ts';
export { oauthErrors } from './errors.ts';
export { oauthPathPrefixes, oauthRoutes } from './provider.ts';
export { extendGrant } from './provider-interactions.ts';
export { defaultLifetimes } from './provider-lifetimes.ts';
export { createOAuth, type OAuth, type OAuthDeps } from './service.ts';
export { type SigningKeys, signingKeyColumn } from './signing-keys.ts';
