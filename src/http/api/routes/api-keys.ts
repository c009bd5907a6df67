import { z } from 'zod';
import { keyInputSchema } from '../../../apikeys/index.ts';
import { type ApiRoute, loose, looseList, reasonBody, userOnly } from '../route.ts';

/** API keys (docs/access-control.md#api-keys): created by a person, no wider than them. */
export const apiKeyRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/orgs/{orgId}/api-keys',
    summary: 'API keys of the organization (never their secrets)',
    permission: 'apikeys.manage',
    scope: 'org',
    response: looseList,
    async handler(call) {
      return { body: { items: await call.services.apiKeys.list(call.tx, call.orgId) } };
    },
  },
  {
    method: 'POST',
    path: '/orgs/{orgId}/api-keys',
    summary: 'Create an API key: shown once, no wider than yours',
    permission: 'apikeys.manage',
    scope: 'org',
    body: keyInputSchema,
    example: { name: 'HR sync', permissions: ['users.read'], expiresInDays: 30 },
    response: z.object({ key: loose, token: z.string() }),
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
  },
  {
    method: 'POST',
    path: '/orgs/{orgId}/api-keys/{keyId}/revoke',
    summary: 'Revoke an API key',
    permission: 'apikeys.manage',
    scope: 'org',
    body: reasonBody,
    example: { reason: 'no longer used' },
    response: z.object({ revoked: z.boolean() }),
    async handler(call) {
      const { reason } = call.body as { reason: string };
      await call.services.apiKeys.revoke(
        call.tx,
        call.orgId,
        call.params.keyId ?? '',
        reason,
        call.actor,
      );
      return { body: { revoked: true } };
    },
  },
];
