import type { User } from '../../src/identity/index.ts';
import { operatorActor, withPlatform } from '../../src/platform/index.ts';
import { inject } from './http.ts';
import { redirectUri, startOidcWorld } from './oidc.ts';

export type OidcWorld = Awaited<ReturnType<typeof startOidcWorld>>;

/**
 * A running Vigil with the admin console registered for the admin API's audience: `tokenFor`
 * issues a user the access token the token endpoint would, `call` sends one API request.
 */
export async function startAdminApiWorld(
  options?: { totp: boolean },
  env: Record<string, string> = {},
) {
  const world = await startOidcWorld(env, options);
  const api = `${world.base}/api/v1`;
  const console = await world.createClient({
    name: 'Admin console',
    kind: 'web',
    firstParty: true,
    redirectUris: [redirectUri],
    resources: [api],
  });

  async function tokenFor(user: User): Promise<string> {
    const provider = world.auth.oauth.provider();
    const client = await provider.Client.find(console.id);
    const token = new provider.AccessToken({
      accountId: user.id,
      client,
      gty: 'authorization_code',
      scope: '',
      resourceServer: {
        audience: api,
        scope: '',
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      },
    } as never);
    return token.save();
  }

  /** In-process: the admin API's answers do not depend on TLS (the OIDC flows stay on HTTPS). */
  const call = (
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    inject(world.server.app, `/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  /** A new user of `orgId` holding `roleKey`, granted directly by the operator. */
  async function userWithRole(orgId: string, email: string, roleKey: string): Promise<User> {
    const user = await world.auth.createUser(orgId, email, 'Correct-Horse-Battery-9');
    await withPlatform(world.core.database, (tx) =>
      world.auth.rbac.assign(
        tx,
        { orgId, userId: user.id, roleKey, reason: 'test' },
        null,
        operatorActor,
      ),
    );
    return user;
  }

  return { world, api, consoleId: console.id, tokenFor, call, userWithRole };
}
