import { z } from 'zod';
import { defineRoute, isoDate } from '../route.ts';

/** A certificate of the organization's SSO as the API shows it (never a private key). */
const certificateSchema = z.object({
  source: z.enum(['saml_key', 'connection']),
  id: z.uuid(),
  /** A SAML key's use and rotation state. */
  use: z.enum(['signing', 'encryption']).optional(),
  state: z.enum(['next', 'active', 'retiring', 'retired']).optional(),
  /** An upstream IdP certificate's connection. */
  connectionId: z.uuid().optional(),
  connectionName: z.string().optional(),
  fingerprint: z.string(),
  subject: z.string(),
  notAfter: isoDate,
  /** Whole days left until notAfter; negative once expired. */
  daysLeft: z.number().int(),
});

/** The SSO certificate inventory (docs/sso.md#certificates-and-their-expiry). */
export const ssoCertificateRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/sso/certificates',
    summary:
      "The organization's SAML keys (not retired) and upstream IdP certificates, soonest expiry first",
    permission: 'org.read',
    scope: 'org',
    response: z.object({ items: z.array(certificateSchema) }),
    async handler(call) {
      const items = await call.services.ssoCertificates.list(call.tx, call.orgId);
      return { body: { items } };
    },
  }),
];
