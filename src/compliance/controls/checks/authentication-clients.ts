import type { OAuthClient } from '../../../oauth/index.ts';
import type { CheckContext, CheckOutcome, ControlException } from '../control.ts';
import { notApplicable, verdict } from '../control.ts';
import { plural } from './authentication-policies.ts';

/**
 * The grants a client may hold. The authorization code flow is the only one that signs a person
 * in, and the provider demands PKCE S256 on every code request of every client (there is no
 * per-client switch, docs/oidc.md); implicit, password and any other grant bypass it.
 */
const safeGrants = new Set(['authorization_code', 'refresh_token', 'client_credentials']);
const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Why a registered URI is unsafe to send a browser (with a code or after logout) to, or null. */
function unsafeUri(value: string): string | null {
  const url = URL.parse(value);
  if (!url) return 'is not an absolute URL';
  if (url.hash) return 'has a fragment';
  if (url.username || url.password) return 'carries credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && loopbackHosts.has(url.hostname)) return null;
  return 'is neither HTTPS nor a loopback address';
}

function clientExceptions(client: OAuthClient): ControlException[] {
  const subject = { type: 'oauth_client', id: client.id };
  const name = `OAuth client "${client.name}" (${client.id})`;
  const found: ControlException[] = client.grantTypes
    .filter((grant) => !safeGrants.has(grant))
    .sort()
    .map((grant) => ({
      message: `${name} may use the ${grant} grant, which bypasses the PKCE-protected code flow`,
      subject,
    }));
  const uris = [
    ...client.redirectUris.map((uri) => ({ uri, role: 'redirect URI' })),
    ...client.postLogoutRedirectUris.map((uri) => ({ uri, role: 'post-logout redirect URI' })),
    ...(client.backchannelLogoutUri
      ? [{ uri: client.backchannelLogoutUri, role: 'back-channel logout URI' }]
      : []),
  ];
  for (const { uri, role } of uris) {
    const problem = unsafeUri(uri);
    if (problem)
      found.push({ message: `${name} registers the ${role} ${uri}, which ${problem}`, subject });
  }
  return found;
}

/**
 * The pkce check: every active OAuth client of the organization, as stored (what the provider
 * loads for it), holds only grants the PKCE-protected code flow or client credentials cover, and
 * only HTTPS or loopback URIs a browser is sent to.
 */
export async function checkClientFlows(ctx: CheckContext): Promise<CheckOutcome> {
  const reads = ctx.sources.authentication;
  const org = await reads.organizationName(ctx.tx, ctx.orgId);
  const clients = await reads.oauthClients(ctx.tx, ctx.orgId);
  const active = clients
    .filter((c) => c.status === 'active')
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  if (active.length === 0) return notApplicable(`${org} has no active OAuth client.`);
  const exceptions = active.flatMap(clientExceptions);
  const failing = new Set(exceptions.map((e) => e.subject?.id)).size;
  return verdict(exceptions, {
    pass: `${plural(active.length, 'active OAuth client')} of ${org} ${active.length === 1 ? 'uses' : 'use'} only the PKCE-protected code flow or client credentials, with HTTPS or loopback URIs.`,
    fail: (count) =>
      `${plural(failing, 'active OAuth client')} of ${org} ${failing === 1 ? 'breaks' : 'break'} the login-flow rules (${plural(count, 'exception')}).`,
  });
}
