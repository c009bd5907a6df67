import { z } from 'zod';
import { clientInputSchema, type OAuthClient, oauthErrors } from '../../../oauth/index.ts';
import { type ApiCall, defineRoute, isoDate } from '../route.ts';

const lifetime = z.number().int().optional();

/** A client as the API shows it (never its secret): `parse` maps a domain `OAuthClient` to it. */
const clientSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  name: z.string(),
  kind: z.enum(['web', 'spa', 'native', 'machine']),
  firstParty: z.boolean(),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  backchannelLogoutUri: z.string().nullable(),
  grantTypes: z.array(z.string()),
  resources: z.array(z.string()),
  apiScopes: z.array(z.string()),
  tokenLifetimes: z.object({
    accessTokenSeconds: lifetime,
    idTokenSeconds: lifetime,
    refreshTokenAbsoluteDays: lifetime,
    refreshTokenIdleDays: lifetime,
  }),
  status: z.enum(['active', 'disabled']),
  createdAt: isoDate,
  /** Until when the secret replaced by the last rotation is still accepted (null: none is). */
  previousSecretValidUntil: isoDate.nullable(),
});

/** The client of the path, in the route's organization (a platform caller sees every one). */
async function clientIn(
  call: ApiCall<unknown, unknown, { clientId: string }>,
): Promise<OAuthClient> {
  const client = await call.services.oauth.clients.get(call.tx, call.params.clientId);
  if (client?.orgId !== call.orgId) throw oauthErrors.clientNotFound();
  return client;
}

/** OAuth clients of an organization (docs/oidc.md#clients); secrets are shown once, at creation. */
export const clientRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/clients',
    summary: 'OAuth clients of the organization (never their secrets)',
    permission: 'org.read',
    scope: 'org',
    response: z.object({ items: z.array(clientSchema) }),
    async handler(call) {
      return { body: { items: await call.services.oauth.clients.list(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/clients',
    summary: 'Register a client; a confidential one gets its secret in this answer only',
    permission: 'clients.manage',
    scope: 'org',
    body: clientInputSchema,
    example: {
      name: 'Billing portal',
      kind: 'web',
      redirectUris: ['https://billing.example.com/callback'],
    },
    response: z.object({ client: clientSchema, secret: z.string().nullable() }),
    async handler(call) {
      const created = await call.services.oauth.clients.create(
        call.tx,
        call.orgId,
        call.body,
        call.actor,
      );
      return { status: 201, body: created };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/clients/{clientId}',
    summary: 'One client',
    permission: 'org.read',
    scope: 'org',
    response: clientSchema,
    async handler(call) {
      return { body: await clientIn(call) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/clients/{clientId}/rotate-secret',
    summary: 'A new secret, shown once; the old one works for the overlap period',
    permission: 'clients.manage',
    scope: 'org',
    response: z.object({ secret: z.string() }),
    async handler(call) {
      const client = await clientIn(call);
      return {
        body: {
          secret: await call.services.oauth.clients.rotateSecret(call.tx, client.id, call.actor),
        },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/clients/{clientId}/disable',
    summary: 'Disable a client: no sign-in, no token, and what it was issued stops working',
    permission: 'clients.manage',
    scope: 'org',
    response: clientSchema,
    async handler(call) {
      const client = await clientIn(call);
      await call.services.oauth.clients.disable(call.tx, client.id, call.actor);
      const disabled: OAuthClient = { ...client, status: 'disabled' };
      return { body: disabled };
    },
  }),
];
