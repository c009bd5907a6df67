import { z } from 'zod';
import { scimTokenInputSchema } from '../../../scim/index.ts';
import { defineRoute, isoDate, userOnly } from '../route.ts';

/** A SCIM token as the API shows it (never its secret). */
const scimTokenSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  name: z.string(),
  createdBy: z.uuid().nullable(),
  createdAt: isoDate,
  expiresAt: isoDate,
  revokedAt: isoDate.nullable(),
  revokedBy: z.uuid().nullable(),
  lastUsedAt: isoDate.nullable(),
  lastUsedIp: z.string().nullable(),
});

/** A group the directory pushed, with its member count and the roles it maps to. */
const mappedGroupSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  externalId: z.string().nullable(),
  members: z.number().int(),
  roleKeys: z.array(z.string()),
});

const groupRolesBody = z.object({ roleKeys: z.array(z.string().max(100)).max(50) }).strict();

/**
 * The organization's directory (docs/scim.md): its SCIM tokens (shown once, revocable) and the
 * roles its pushed groups map to.
 */
export const scimRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/scim-tokens',
    summary: "SCIM tokens of the organization's directory (never their secrets)",
    permission: 'scim.manage',
    scope: 'org',
    response: z.object({ items: z.array(scimTokenSchema) }),
    async handler(call) {
      return { body: { items: await call.services.scimTokens.list(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/scim-tokens',
    summary: 'Create a SCIM token for the directory: shown once',
    permission: 'scim.manage',
    scope: 'org',
    body: scimTokenInputSchema,
    example: { name: 'Entra ID provisioning', expiresInDays: 180 },
    response: z.object({ scimToken: scimTokenSchema, token: z.string() }),
    async handler(call) {
      // A person mints a directory's credential, not an API key.
      userOnly(call);
      const created = await call.services.scimTokens.create(
        call.tx,
        call.orgId,
        call.body,
        call.actor,
      );
      return { status: 201, body: created };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/scim-tokens/{tokenId}/revoke',
    summary: 'Revoke a SCIM token: the directory using it is refused at once',
    permission: 'scim.manage',
    scope: 'org',
    response: scimTokenSchema,
    async handler(call) {
      const revoked = await call.services.scimTokens.revoke(
        call.tx,
        call.orgId,
        call.params.tokenId,
        call.actor,
      );
      return { body: revoked };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/scim-groups',
    summary: 'Groups the directory pushed, with their member counts and the roles they map to',
    permission: 'scim.manage',
    scope: 'org',
    response: z.object({ items: z.array(mappedGroupSchema) }),
    async handler(call) {
      return { body: { items: await call.services.groupRoles.listGroups(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/orgs/{orgId}/scim-groups/{groupId}/roles',
    summary:
      "Set the roles a SCIM group's members hold (empty clears them); members are synced at once",
    permission: 'scim.manage',
    scope: 'org',
    body: groupRolesBody,
    example: { roleKeys: ['member'] },
    response: z.object({
      group: mappedGroupSchema,
      sync: z.object({
        assigned: z.number().int(),
        requested: z.number().int(),
        removed: z.number().int(),
        withdrawn: z.number().int(),
        refused: z.number().int(),
      }),
    }),
    async handler(call) {
      const result = await call.services.groupRoles.setGroupRoles(
        call.tx,
        call.orgId,
        call.params.groupId,
        call.body.roleKeys,
        call.actor,
      );
      return { body: result };
    },
  }),
];
