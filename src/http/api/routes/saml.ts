import { z } from 'zod';
import { attributeSources, nameIdFormats, samlErrors } from '../../../saml/index.ts';
import { defineRoute, isoDate } from '../route.ts';

const binding = z.enum(['post', 'redirect']);

/** A SAML application as the API shows it (docs/sso.md#vigil-as-a-saml-identity-provider). */
const applicationSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  entityId: z.string(),
  acsUrls: z.array(
    z.object({
      url: z.string(),
      binding: z.literal('post'),
      index: z.number().int(),
      isDefault: z.boolean(),
    }),
  ),
  sloUrl: z.string().nullable(),
  sloBinding: binding.nullable(),
  nameIdFormat: z.enum(nameIdFormats),
  attributeMapping: z.array(
    z.object({
      name: z.string(),
      source: z.enum(attributeSources),
      nameFormat: z.string().optional(),
    }),
  ),
  signResponse: z.boolean(),
  signAssertion: z.boolean(),
  encryptAssertion: z.boolean(),
  spCertificate: z.string().nullable(),
  wantRequestsSigned: z.boolean(),
  idpInitiated: z.boolean(),
  defaultRelayState: z.string().nullable(),
  enabled: z.boolean(),
  initiateUrl: z.string().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

const keySchema = z.object({
  id: z.uuid(),
  use: z.enum(['signing', 'encryption']),
  state: z.enum(['next', 'active', 'retiring', 'retired']),
  fingerprint: z.string(),
  certificate: z.string(),
  notBefore: isoDate,
  notAfter: isoDate,
  createdAt: isoDate,
  activatedAt: isoDate.nullable(),
  retiringAt: isoDate.nullable(),
  retiredAt: isoDate.nullable(),
});

/** Bodies are checked by the service (one schema for API, CLI and tests); here they are objects. */
const anyObject = z.object({}).passthrough();
const keyInput = z.object({ use: z.enum(['signing', 'encryption']) }).strict();

const example = {
  name: 'Team wiki',
  entityId: 'https://wiki.example.com/saml/metadata',
  acsUrls: [{ url: 'https://wiki.example.com/saml/acs', binding: 'post' as const }],
  nameIdFormat: 'email' as const,
  attributeMapping: [{ name: 'email', source: 'email' as const }],
};

/** Vigil as the organization's SAML identity provider: its details, applications and keys. */
export const samlRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/saml/idp',
    summary:
      "Vigil's SAML identity provider for the organization: entity ID, endpoints, published certificates",
    permission: 'org.read',
    scope: 'org',
    response: z.object({
      entityId: z.string(),
      metadataUrl: z.string(),
      ssoUrl: z.string(),
      sloUrl: z.string(),
      signingCertificates: z.array(z.string()),
      encryptionCertificates: z.array(z.string()),
    }),
    async handler(call) {
      const { saml, tenancy } = call.services;
      const org = await tenancy.getOrganization(call.tx, call.orgId);
      const identity = saml.service.identityOf(org?.slug ?? '');
      return {
        body: {
          ...identity,
          metadataUrl: `${identity.entityId}/metadata`,
          signingCertificates: await saml.keys.publishedCertificates(
            call.tx,
            call.orgId,
            'signing',
            call.actor,
          ),
          encryptionCertificates: await saml.keys.publishedCertificates(
            call.tx,
            call.orgId,
            'encryption',
            call.actor,
          ),
        },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/saml/applications',
    summary: 'The SAML applications that sign their users in through Vigil',
    permission: 'org.read',
    scope: 'org',
    response: z.object({ items: z.array(applicationSchema) }),
    async handler(call) {
      return { body: { items: await call.services.saml.applications.list(call.tx, call.orgId) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/saml/applications',
    summary:
      'Register a SAML application (its settings, or `{ name, metadataXml }` from its SP metadata)',
    permission: 'sso.manage',
    scope: 'org',
    body: anyObject,
    example,
    response: applicationSchema,
    async handler(call) {
      const { applications } = call.services.saml;
      const created = await applications.create(call.tx, call.orgId, call.body, call.actor);
      return { status: 201, body: created };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/saml/applications/{applicationId}',
    summary: 'One SAML application',
    permission: 'org.read',
    scope: 'org',
    response: applicationSchema,
    async handler(call) {
      const { applications } = call.services.saml;
      return { body: await applications.get(call.tx, call.orgId, call.params.applicationId) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/orgs/{orgId}/saml/applications/{applicationId}',
    summary: "Change a SAML application's settings (audited with before and after)",
    permission: 'sso.manage',
    scope: 'org',
    body: anyObject,
    example: { enabled: false },
    response: applicationSchema,
    async handler(call) {
      const { applications } = call.services.saml;
      const id = call.params.applicationId;
      return { body: await applications.update(call.tx, call.orgId, id, call.body, call.actor) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/orgs/{orgId}/saml/applications/{applicationId}',
    summary: 'Delete a SAML application (its waiting requests and session records go with it)',
    permission: 'sso.manage',
    scope: 'org',
    response: z.undefined(),
    async handler(call) {
      const { applications } = call.services.saml;
      await applications.remove(call.tx, call.orgId, call.params.applicationId, call.actor);
      return { status: 204, body: undefined };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/saml/keys',
    summary: "The organization's SAML signing and encryption keys (never their private parts)",
    permission: 'org.read',
    scope: 'org',
    response: z.object({ items: z.array(keySchema) }),
    async handler(call) {
      return {
        body: { items: await call.services.saml.keys.list(call.tx, call.orgId, call.actor) },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/saml/keys',
    summary: 'Rotation, step 1: a new key, published in the metadata as `next` but not used yet',
    permission: 'sso.manage',
    scope: 'org',
    body: keyInput,
    example: { use: 'signing' as const },
    response: keySchema,
    async handler(call) {
      const body = keyInput.safeParse(call.body);
      if (!body.success)
        throw samlErrors.keyInvalid({ field: 'use', problem: "'signing' or 'encryption'" });
      const key = await call.services.saml.keys.create(
        call.tx,
        call.orgId,
        body.data.use,
        call.actor,
      );
      return { status: 201, body: key };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/saml/keys/{keyId}/activate',
    summary: 'Rotation, step 2: the next key signs from now on; the active one becomes retiring',
    permission: 'sso.manage',
    scope: 'org',
    response: keySchema,
    async handler(call) {
      const { keys } = call.services.saml;
      return { body: await keys.activate(call.tx, call.orgId, call.params.keyId, call.actor) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/saml/keys/{keyId}/retire',
    summary: 'Rotation, step 3: a retiring key leaves the metadata',
    permission: 'sso.manage',
    scope: 'org',
    response: keySchema,
    async handler(call) {
      const { keys } = call.services.saml;
      return { body: await keys.retire(call.tx, call.orgId, call.params.keyId, call.actor) };
    },
  }),
];
