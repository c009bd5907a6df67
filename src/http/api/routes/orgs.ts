import { z } from 'zod';
import { organizationInput, tenancyErrors } from '../../../tenancy/index.ts';
import { defineRoute, reasonBody } from '../route.ts';

/** An organization as the API shows it: `parse` maps a domain `Organization` to it. */
const orgSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  status: z.enum(['active', 'suspended']),
});

/** A reactivation may say why, as a suspension must: the audit event keeps it. */
const reactivateBody = reasonBody.partial();

export const orgRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs',
    summary: 'Every organization',
    permission: 'platform.orgs',
    scope: 'platform',
    response: z.object({ items: z.array(orgSchema) }),
    async handler(call) {
      return { body: { items: await call.services.tenancy.listOrganizations(call.tx) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs',
    summary: 'Create an organization',
    permission: 'platform.orgs',
    scope: 'platform',
    body: organizationInput,
    example: { slug: 'initech', name: 'Initech' },
    response: orgSchema,
    async handler(call) {
      const org = await call.services.tenancy.createOrganization(call.tx, call.body, call.actor);
      return { status: 201, body: org };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}',
    summary: 'One organization (its members may read it)',
    permission: 'org.read',
    scope: 'org',
    response: orgSchema,
    async handler(call) {
      const org = await call.services.tenancy.getOrganization(call.tx, call.orgId);
      if (!org) throw tenancyErrors.orgNotFound();
      return { body: org };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/suspend',
    summary:
      "Suspend an organization (not the platform): its users' sessions and OAuth access end at once; no sign-in, access token or API key of it is accepted until it is reactivated",
    permission: 'platform.orgs',
    scope: 'org',
    body: reasonBody,
    example: { reason: 'contract ended, data kept for 30 days' },
    response: orgSchema,
    async handler(call) {
      const { tx, orgId, body, actor } = call;
      return {
        body: await call.services.lifecycle.suspendOrganization(tx, orgId, body.reason, actor),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/reactivate',
    summary:
      'Lift the suspension of an organization: its users sign in again (what was revoked stays revoked)',
    permission: 'platform.orgs',
    scope: 'org',
    body: reactivateBody,
    example: { reason: 'contract renewed' },
    response: orgSchema,
    async handler(call) {
      const { tx, orgId, body, actor } = call;
      return {
        body: await call.services.lifecycle.reactivateOrganization(tx, orgId, body.reason, actor),
      };
    },
  }),
];
