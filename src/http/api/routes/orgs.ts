import { z } from 'zod';
import { organizationInput, tenancyErrors } from '../../../tenancy/index.ts';
import { defineRoute } from '../route.ts';

/** An organization as the API shows it: `parse` maps a domain `Organization` to it. */
const orgSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  status: z.string(),
});

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
];
