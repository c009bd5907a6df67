import { z } from 'zod';
import {
  domainInputSchema,
  domainUpdateSchema,
  verifyInputSchema,
} from '../../../federation/index.ts';
import { platformOrgId } from '../../../platform/index.ts';
import { defineRoute, isoDate } from '../route.ts';

/** A claimed domain as the API shows it, with the file that verifies it. */
const domainSchema = z.object({
  id: z.uuid(),
  domain: z.string(),
  connectionId: z.uuid().nullable(),
  verification: z.enum(['file', 'attestation']).nullable(),
  verifiedAt: isoDate.nullable(),
  verifiedBy: z.string().nullable(),
  verificationFile: z.object({ url: z.string(), content: z.string() }),
  createdAt: isoDate,
});

/**
 * The email domains of an organization for home-realm discovery
 * (docs/sso.md#home-realm-discovery-and-domains): claimed, verified by a signed file or a
 * platform administrator's attestation, pointed at one of the organization's connections.
 */
export const ssoDomainRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/sso/domains',
    summary: "The organization's claimed email domains, verified or not",
    permission: 'org.read',
    scope: 'org',
    response: z.object({ items: z.array(domainSchema) }),
    async handler(call) {
      return { body: { items: await call.services.ssoDomains.list(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/sso/domains',
    summary: 'Claim an email domain (unverified until its file is served or it is attested)',
    permission: 'sso.manage',
    scope: 'org',
    body: domainInputSchema,
    example: { domain: 'example.com' },
    response: domainSchema,
    async handler(call) {
      const domain = await call.services.ssoDomains.claim(
        call.tx,
        call.orgId,
        call.body,
        call.actor,
      );
      return { status: 201, body: domain };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/orgs/{orgId}/sso/domains/{domainId}',
    summary: "Point a domain's sign-ins at one of the organization's connections (or none)",
    permission: 'sso.manage',
    scope: 'org',
    body: domainUpdateSchema,
    example: { connectionId: null },
    response: domainSchema,
    async handler(call) {
      return {
        body: await call.services.ssoDomains.update(
          call.tx,
          call.orgId,
          call.params.domainId,
          call.body,
          call.actor,
        ),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/sso/domains/{domainId}/verify',
    summary:
      "Verify a domain: fetch its signed file over HTTPS, or take a platform administrator's attestation",
    permission: 'sso.manage',
    scope: 'org',
    body: verifyInputSchema,
    example: { method: 'file' },
    response: domainSchema,
    async handler(call) {
      // An attestation is the platform's word: only its administrators (or API keys) give it.
      const byPlatform = call.principal.orgId === platformOrgId;
      return {
        body: await call.services.ssoDomains.verify(
          call.tx,
          call.orgId,
          call.params.domainId,
          call.body,
          call.actor,
          { byPlatform },
        ),
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/orgs/{orgId}/sso/domains/{domainId}',
    summary: 'Remove a claimed domain (its sign-ins no longer find the connection)',
    permission: 'sso.manage',
    scope: 'org',
    response: z.undefined(),
    async handler(call) {
      await call.services.ssoDomains.remove(call.tx, call.orgId, call.params.domainId, call.actor);
      return { status: 204, body: undefined };
    },
  }),
];
