import { z } from 'zod';
import { keyInputSchema } from '../../../apikeys/index.ts';
import { defineRoute, isoDate, reasonBody, userOnly } from '../route.ts';

/** An API key as the API shows it (never its secret): `parse` maps a domain `ApiKey` to it. */
const keySchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  name: z.string(),
  permissions: z.array(z.string()),
  createdBy: z.uuid().nullable(),
  createdAt: isoDate,
  expiresAt: isoDate,
  revokedAt: isoDate.nullable(),
  lastUsedAt: isoDate.nullable(),
  lastUsedIp: z.string().nullable(),
});

/** API keys (docs/access-control.md#api-keys): created by a person, no wider than them. */
export const apiKeyRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/api-keys',
    summary: 'API keys of the organization (never their secrets)',
    permission: 'apikeys.manage',
    scope: 'org',
    response: z.object({ items: z.array(keySchema) }),
    async handler(call) {
      return { body: { items: await call.services.apiKeys.list(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/api-keys',
    summary: 'Create an API key: shown once, no wider than yours',
    permission: 'apikeys.manage',
    scope: 'org',
    body: keyInputSchema,
    example: { name: 'HR sync', permissions: ['users.read'], expiresInDays: 30 },
    response: z.object({ key: keySchema, token: z.string() }),
    async handler(call) {
      const creator = userOnly(call);
      const created = await call.services.apiKeys.create(
        call.tx,
        call.orgId,
        call.body,
        creator,
        call.actor,
      );
      return { status: 201, body: created };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/api-keys/{keyId}/revoke',
    summary: 'Revoke an API key',
    permission: 'apikeys.manage',
    scope: 'org',
    body: reasonBody,
    example: { reason: 'no longer used' },
    response: z.object({ revoked: z.boolean() }),
    async handler(call) {
      await call.services.apiKeys.revoke(
        call.tx,
        call.orgId,
        call.params.keyId,
        call.body.reason,
        call.actor,
      );
      return { body: { revoked: true } };
    },
  }),
];
