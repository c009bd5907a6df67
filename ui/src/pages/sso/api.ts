import { request } from '../../api.ts';

/** Enterprise SSO as the admin API shows it (docs/sso.md): reads need `org.read`, changes `sso.manage`. */

export type SamlBinding = 'post' | 'redirect';
export type NameIdFormat = 'email' | 'persistent' | 'transient' | 'unspecified';
export type AttributeSource = 'email' | 'displayName' | 'userId' | 'roles' | 'orgSlug';

/** Vigil as the organization's SAML identity provider: what an application is given. */
export interface IdpDetails {
  entityId: string;
  metadataUrl: string;
  ssoUrl: string;
  sloUrl: string;
  signingCertificates: string[];
  encryptionCertificates: string[];
}

export interface AcsUrl {
  url: string;
  /** The SAML profile sends responses by POST only. */
  binding: 'post';
  index: number;
  isDefault: boolean;
}

export interface AttributeRule {
  name: string;
  source: AttributeSource;
  nameFormat?: string;
}

/** A SAML service provider that signs its users in through Vigil. */
export interface SamlApplication {
  id: string;
  name: string;
  entityId: string;
  acsUrls: AcsUrl[];
  sloUrl: string | null;
  sloBinding: SamlBinding | null;
  nameIdFormat: NameIdFormat;
  attributeMapping: AttributeRule[];
  signResponse: boolean;
  signAssertion: boolean;
  encryptAssertion: boolean;
  spCertificate: string | null;
  wantRequestsSigned: boolean;
  idpInitiated: boolean;
  defaultRelayState: string | null;
  enabled: boolean;
  /** Where a user starts an IdP-initiated sign-in to it (when it allows one). */
  initiateUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export type ApplicationInput = Omit<
  SamlApplication,
  'id' | 'initiateUrl' | 'createdAt' | 'updatedAt'
>;

/** A new application from the SP's metadata: the API fills its entity ID, ACS URLs, SLO and certificate. */
export interface ApplicationFromMetadata {
  name: string;
  metadataXml: string;
}

export type KeyUse = 'signing' | 'encryption';
export type KeyState = 'next' | 'active' | 'retiring' | 'retired';

/** One of the organization's SAML keys (its private part never leaves the server). */
export interface SamlKey {
  id: string;
  use: KeyUse;
  state: KeyState;
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  createdAt: string;
  activatedAt: string | null;
  retiringAt: string | null;
  retiredAt: string | null;
}

export type Protocol = 'saml' | 'oidc';
export type Provisioning = 'jit' | 'match';

export interface ConnectionMapping {
  email?: string;
  displayName?: string;
  /** Upstream values (SAML AuthnContextClassRef, OIDC amr/acr) that mean a second factor was used. */
  mfaValues?: string[];
}

export interface ConnectionCertificate {
  id: string;
  fingerprint: string;
  subject: string;
  notAfter: string;
}

/** An organization's own identity provider, by SAML or OIDC. */
export interface Connection {
  id: string;
  name: string;
  protocol: Protocol;
  enabled: boolean;
  provisioning: Provisioning;
  attributeMapping: ConnectionMapping;
  saml: {
    idpEntityId: string;
    idpSsoUrl: string;
    idpSloUrl: string | null;
    metadataUrl: string | null;
  } | null;
  oidc: { issuer: string; clientId: string; scopes: string[]; hasClientSecret: boolean } | null;
  /** What the upstream is given: Vigil's SP (SAML) or its redirect URI (OIDC). */
  serviceProvider: {
    entityId?: string;
    acsUrl?: string;
    metadataUrl?: string;
    redirectUri?: string;
  };
  certificates: ConnectionCertificate[];
  createdAt: string;
  updatedAt: string;
}

export interface ConnectionInput {
  name: string;
  protocol: Protocol;
  enabled?: boolean;
  provisioning: Provisioning;
  attributeMapping?: ConnectionMapping;
  saml?: {
    metadataUrl?: string;
    metadataXml?: string;
    idpEntityId?: string;
    idpSsoUrl?: string;
    idpSloUrl?: string | null;
    certificates?: string[];
  };
  oidc?: { issuer: string; clientId: string; clientSecret?: string; scopes?: string[] };
}

/** An email domain claimed for home-realm discovery. */
export interface SsoDomain {
  id: string;
  domain: string;
  connectionId: string | null;
  verification: null | 'file' | 'attestation';
  verifiedAt: string | null;
  verifiedBy: string | null;
  /** The file the domain must serve to be verified by file. */
  verificationFile: { url: string; content: string };
  createdAt: string;
}

export type Verification = { method: 'file' } | { method: 'attestation'; statement: string };

/** A certificate of the inventory: a SAML key's, or an upstream IdP's. */
export interface InventoryCertificate {
  source: 'saml_key' | 'connection';
  id: string;
  use?: KeyUse;
  state?: KeyState;
  connectionId?: string;
  connectionName?: string;
  fingerprint: string;
  subject: string;
  notAfter: string;
  daysLeft: number;
}

const org = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}`;
const application = (orgId: string, id: string) =>
  `${org(orgId)}/saml/applications/${encodeURIComponent(id)}`;
const connection = (orgId: string, id: string) =>
  `${org(orgId)}/sso/connections/${encodeURIComponent(id)}`;
const domain = (orgId: string, id: string) => `${org(orgId)}/sso/domains/${encodeURIComponent(id)}`;
const items = async <T>(path: string) => (await request<{ items: T[] }>(path)).body.items;
const post = async <T>(path: string, body: unknown = {}) =>
  (await request<T>(path, { method: 'POST', body })).body;
const patch = async <T>(path: string, body: unknown) =>
  (await request<T>(path, { method: 'PATCH', body })).body;
const remove = async (path: string) => {
  await request(path, { method: 'DELETE' });
};

export const ssoApi = {
  idp: async (orgId: string) => (await request<IdpDetails>(`${org(orgId)}/saml/idp`)).body,
  applications: (orgId: string) => items<SamlApplication>(`${org(orgId)}/saml/applications`),
  application: async (orgId: string, id: string) =>
    (await request<SamlApplication>(application(orgId, id))).body,
  createApplication: (orgId: string, input: ApplicationInput | ApplicationFromMetadata) =>
    post<SamlApplication>(`${org(orgId)}/saml/applications`, input),
  updateApplication: (orgId: string, id: string, change: Partial<ApplicationInput>) =>
    patch<SamlApplication>(application(orgId, id), change),
  deleteApplication: (orgId: string, id: string) => remove(application(orgId, id)),

  keys: (orgId: string) => items<SamlKey>(`${org(orgId)}/saml/keys`),
  /** A `next` key: published in the metadata at once, used only once activated. */
  createKey: (orgId: string, use: KeyUse) => post<SamlKey>(`${org(orgId)}/saml/keys`, { use }),
  activateKey: (orgId: string, id: string) =>
    post<SamlKey>(`${org(orgId)}/saml/keys/${encodeURIComponent(id)}/activate`),
  retireKey: (orgId: string, id: string) =>
    post<SamlKey>(`${org(orgId)}/saml/keys/${encodeURIComponent(id)}/retire`),

  connections: (orgId: string) => items<Connection>(`${org(orgId)}/sso/connections`),
  connection: async (orgId: string, id: string) =>
    (await request<Connection>(connection(orgId, id))).body,
  createConnection: (orgId: string, input: ConnectionInput) =>
    post<Connection>(`${org(orgId)}/sso/connections`, input),
  updateConnection: (orgId: string, id: string, change: Partial<ConnectionInput>) =>
    patch<Connection>(connection(orgId, id), change),
  deleteConnection: (orgId: string, id: string) => remove(connection(orgId, id)),
  addCertificate: (orgId: string, id: string, certificate: string) =>
    post<unknown>(`${connection(orgId, id)}/certificates`, { certificate }),
  removeCertificate: (orgId: string, id: string, certificateId: string) =>
    remove(`${connection(orgId, id)}/certificates/${encodeURIComponent(certificateId)}`),
  refreshMetadata: (orgId: string, id: string) =>
    post<Connection>(`${connection(orgId, id)}/metadata-refresh`),

  domains: (orgId: string) => items<SsoDomain>(`${org(orgId)}/sso/domains`),
  claimDomain: (orgId: string, input: { domain: string; connectionId?: string }) =>
    post<SsoDomain>(`${org(orgId)}/sso/domains`, input),
  linkDomain: (orgId: string, id: string, connectionId: string | null) =>
    patch<SsoDomain>(domain(orgId, id), { connectionId }),
  verifyDomain: (orgId: string, id: string, verification: Verification) =>
    post<SsoDomain>(`${domain(orgId, id)}/verify`, verification),
  removeDomain: (orgId: string, id: string) => remove(domain(orgId, id)),

  certificates: (orgId: string) => items<InventoryCertificate>(`${org(orgId)}/sso/certificates`),
};

/** The NameID formats, in words. */
export const nameIdFormats: Record<NameIdFormat, string> = {
  email: 'Email address',
  persistent: 'Persistent (a stable opaque id per application)',
  transient: 'Transient (new at each sign-in)',
  unspecified: 'Unspecified (the user id)',
};

/** Where an attribute's value comes from, in words. */
export const attributeSources: Record<AttributeSource, string> = {
  email: 'Email',
  displayName: 'Display name',
  userId: 'User id',
  roles: 'Roles (one value each)',
  orgSlug: 'Organization slug',
};
