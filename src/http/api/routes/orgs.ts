import { z } from 'zod';
import { AppError } from '../../../platform/index.ts';
import type { Organization } from '../../../tenancy/index.ts';
import { organizationInput } from '../../../tenancy/index.ts';
import type { ApiRoute } from '../route.ts';

const orgSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  status: z.string(),
});

const orgOut = (o: Organization) => ({ id: o.id, slug: o.slug, name: o.name, status: o.status });

export const orgRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/orgs',
    summary: 'Every organization',
    permission: 'platform.orgs',
    scope: 'platform',
    response: z.object({ items: z.array(orgSchema) }),
    async handler(call) {
      const orgs = await call.services.tenancy.listOrganizations(call.tx);
      return { body: { items: orgs.map(orgOut) } };
    },
  },
  {
    method: 'POST',
    path: '/orgs',
    summary: 'Create an organization',
    permission: 'platform.orgs',
    scope: 'platform',
    body: organizationInput,
    example: { slug: 'initech', name: 'Initech' },
    response: orgSchema,
    async handler(call) {
      const org = await call.services.tenancy.createOrganization(
        call.tx,
        call.body as z.output<typeof organizationInput>,
        call.actor,
      );
      return { status: 201, body: orgOut(org) };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{orgId}',
    summary: 'One organization (its members may read it)',
    permission: 'org.read',
    scope: 'org',
    response: orgSchema,
    async handler(call) {
      const org = await call.services.tenancy.getOrganization(call.tx, call.orgId);
      if (!org) throw new AppError('not_found', 'org.not_found', 'No such organization');
      return { body: orgOut(org) };
    },
  },
];
