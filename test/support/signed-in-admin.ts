import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import type { User } from '../../src/identity/index.ts';
import { operatorActor } from '../../src/platform/index.ts';
import type { OidcWorld } from './admin-api.ts';
import { browserLike } from './http.ts';
import { offlineSignIn } from './oidc.ts';

/**
 * A user of the world's organization signed in at `rp` (a browser session and a refresh token)
 * who then became an `org-admin`: signed in as a member (an administrator's role would ask for a
 * second factor), so the session and tokens live on with the privileged role — what a review
 * that takes the role away must end.
 */
export async function signedInAdmin(
  world: OidcWorld,
  userWithRole: (orgId: string, email: string, roleKey: string) => Promise<User>,
  rp: oidc.Configuration,
  email: string,
  password: string,
) {
  const user = await userWithRole(world.orgId, email, 'member');
  const browser = browserLike(world.base);
  const tokens = await offlineSignIn(rp, (url) =>
    world.authorize(url, browser, { email, password }),
  );
  await world.auth.rbac.assignIn(
    { orgId: world.orgId, userId: user.id, roleKey: 'org-admin', reason: 'on call' },
    operatorActor,
  );
  assert.equal((await browser.get('/account')).status, 200);
  return { user, browser, refreshToken: tokens.refresh_token };
}
