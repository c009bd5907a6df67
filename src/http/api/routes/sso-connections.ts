import { z } from 'zod';
import {
  certificateInputSchema,
  connectionInputSchema,
  connectionUpdateSchema,
} from '../../../federation/index.ts';
import { defineRoute, isoDate } from '../route.ts';

/** A connection as the API shows it (never the OIDC client secret, only whether there is one). */
const connectionSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  protocol: z.enum(['saml', 'oidc']),
  enabled: z.boolean(),
  provisioning: z.enum(['jit', 'match']),
  attributeMapping: z.object({
    email: z.string().optional(),
    displayName: z.string().optional(),
    mfaValues: z.array(z.string()).optional(),
  }),
  saml: z
    .object({
      idpEntityId: z.string(),
      idpSsoUrl: z.string(),
      idpSloUrl: z.string().nullable(),
      metadataUrl: z.string().nullable(),
    })
    .nullable(),
  oidc: z
    .object({
      issuer: z.string(),
      clientId: z.string(),
      scopes: z.array(z.string()),
      hasClientSecret: z.boolean(),
    })
    .nullable(),
  /** What to register Vigil as at the identity provider. */
  serviceProvider: z.union([
    z.object({ entityId: z.string(), acsUrl: z.string(), metadataUrl: z.string() }),
    z.object({ redirectUri: z.string() }),
  ]),
  certificates: z.array(
    z.object({ id: z.uuid(), fingerprint: z.string(), subject: z.string(), notAfter: isoDate }),
  ),
  createdAt: isoDate,
  updatedAt: isoDate,
});

const path = '/orgs/{orgId}/sso/connections';

/** An organization's own identity providers (docs/sso.md#connecting-your-identity-provider). */
export const ssoConnectionRoutes = [
  defineRoute({
    method: 'GET',
    path,
    summary: "The organization's SSO connections (its own SAML and OIDC identity providers)",
    permission: 'org.read',
    scope: 'org',
    response: z.object({ items: z.array(connectionSchema) }),
    async handler(call) {
      return { body: { items: await call.services.ssoConnections.list(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path,
    summary:
      'Connect an identity provider: SAML from metadata (uploaded or by URL) or fields, or OIDC by issuer and client',
    permission: 'sso.manage',
    scope: 'org',
    body: connectionInputSchema,
    example: {
      name: 'Acme Okta',
      protocol: 'saml',
      provisioning: 'match',
      saml: {
        idpEntityId: 'http://www.okta.com/exk1abcd',
        idpSsoUrl: 'https://acme.okta.com/app/acme_vigil_1/exk1abcd/sso/saml',
        certificates: [
          '-----BEGIN CERTIFICATE-----\nMIIDpDCCAoygAwIBAgIG…\n-----END CERTIFICATE-----\n',
        ],
      },
    },
    response: connectionSchema,
    async handler(call) {
      const { ssoConnections } = call.services;
      return {
        status: 201,
        body: await ssoConnections.create(call.tx, call.orgId, call.body, call.actor),
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${path}/{connectionId}`,
    summary: 'One SSO connection, with what to register Vigil as at the identity provider',
    permission: 'org.read',
    scope: 'org',
    response: connectionSchema,
    async handler(call) {
      const { ssoConnections } = call.services;
      return { body: await ssoConnections.get(call.tx, call.orgId, call.params.connectionId) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: `${path}/{connectionId}`,
    summary:
      "Change an SSO connection: name, enabled, provisioning, mapping, the IdP's endpoints, metadata or certificates, the OIDC client",
    permission: 'sso.manage',
    scope: 'org',
    body: connectionUpdateSchema,
    example: { enabled: false },
    response: connectionSchema,
    async handler(call) {
      const { ssoConnections } = call.services;
      const id = call.params.connectionId;
      return { body: await ssoConnections.update(call.tx, call.orgId, id, call.body, call.actor) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${path}/{connectionId}`,
    summary: 'Delete an SSO connection (its users keep their accounts; their links to it go)',
    permission: 'sso.manage',
    scope: 'org',
    response: z.undefined(),
    async handler(call) {
      const { ssoConnections } = call.services;
      await ssoConnections.remove(call.tx, call.orgId, call.params.connectionId, call.actor);
      return { status: 204, body: undefined };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${path}/{connectionId}/certificates`,
    summary: 'Track another signing certificate of the IdP (its next one, before a rollover)',
    permission: 'sso.manage',
    scope: 'org',
    body: certificateInputSchema,
    example: { certificate: '-----BEGIN CERTIFICATE-----\nMIIC…\n-----END CERTIFICATE-----\n' },
    response: connectionSchema,
    async handler(call) {
      const { ssoConnections } = call.services;
      const id = call.params.connectionId;
      return {
        status: 201,
        body: await ssoConnections.addCertificate(
          call.tx,
          call.orgId,
          id,
          call.body.certificate,
          call.actor,
        ),
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${path}/{connectionId}/certificates/{certificateId}`,
    summary: "Stop trusting one of the IdP's signing certificates (never the last one)",
    permission: 'sso.manage',
    scope: 'org',
    response: connectionSchema,
    async handler(call) {
      const { ssoConnections } = call.services;
      const { connectionId, certificateId } = call.params;
      return {
        body: await ssoConnections.removeCertificate(
          call.tx,
          call.orgId,
          connectionId,
          certificateId,
          call.actor,
        ),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${path}/{connectionId}/metadata-refresh`,
    summary: "Read the IdP's metadata URL again: endpoints and certificates follow it",
    permission: 'sso.manage',
    scope: 'org',
    response: connectionSchema,
    async handler(call) {
      const { ssoConnections } = call.services;
      const id = call.params.connectionId;
      return { body: await ssoConnections.refreshMetadata(call.tx, call.orgId, id, call.actor) };
    },
  }),
];
