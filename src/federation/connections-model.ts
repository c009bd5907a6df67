import { z } from 'zod';
import type { SsoProtocol, SsoProvisioning } from '../platform/index.ts';
import type { AttributeMapping } from './protocol.ts';

/** A PEM X.509 certificate as an administrator pastes it (the parser checks it is exactly one). */
const pemCertificate = z
  .string()
  .max(20_000)
  .regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)');

/** Upstream attribute / claim names, and AuthnContextClassRef or amr / acr values. */
const attributeName = z.string().trim().min(1).max(256);

export const attributeMappingSchema = z
  .object({
    email: attributeName.optional(),
    displayName: attributeName.optional(),
    mfaValues: z.array(attributeName).max(20).optional(),
  })
  .strict();

const samlSettings = z
  .object({
    /** Where the IdP publishes its metadata: fetched now and by `metadata-refresh`. */
    metadataUrl: z.string().trim().min(1).max(2000).optional(),
    /** The IdP's metadata, uploaded. */
    metadataXml: z.string().min(1).max(1_000_000).optional(),
    idpEntityId: z.string().trim().min(1).max(1024).optional(),
    idpSsoUrl: z.string().trim().min(1).max(2000).optional(),
    idpSloUrl: z.string().trim().min(1).max(2000).nullable().optional(),
    /** The IdP's signing certificates (replace the connection's set when given). */
    certificates: z.array(pemCertificate).min(1).max(10).optional(),
  })
  .strict();

const scope = z
  .string()
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'is not an OAuth scope token (RFC 6749 §3.3)');

const oidcSettings = z
  .object({
    issuer: z.string().trim().min(1).max(2000),
    clientId: z.string().trim().min(1).max(500),
    /** Absent for a public client (PKCE only); kept encrypted, never shown again. */
    clientSecret: z.string().min(1).max(2000).nullable().optional(),
    scopes: z.array(scope).min(1).max(30).optional(),
  })
  .strict();

const name = z.string().trim().min(1).max(200);

export const connectionInputSchema = z
  .object({
    name,
    protocol: z.enum(['saml', 'oidc']),
    enabled: z.boolean().default(true),
    /** Only users who already exist sign in, unless the organization opts in to JIT. */
    provisioning: z.enum(['jit', 'match']).default('match'),
    attributeMapping: attributeMappingSchema.default({}),
    saml: samlSettings.optional(),
    oidc: oidcSettings.optional(),
  })
  .strict();

export type ConnectionInput = z.input<typeof connectionInputSchema>;

export const connectionUpdateSchema = z
  .object({
    name: name.optional(),
    /** The protocol of a connection never changes; when sent it must be the same. */
    protocol: z.enum(['saml', 'oidc']).optional(),
    enabled: z.boolean().optional(),
    provisioning: z.enum(['jit', 'match']).optional(),
    attributeMapping: attributeMappingSchema.optional(),
    saml: samlSettings.optional(),
    oidc: oidcSettings.partial().optional(),
  })
  .strict();

export type ConnectionUpdate = z.input<typeof connectionUpdateSchema>;

export const certificateInputSchema = z.object({ certificate: pemCertificate }).strict();

export const defaultOidcScopes = ['openid', 'email', 'profile'];

/** A tracked IdP signing certificate. */
export interface ConnectionCertificate {
  id: string;
  fingerprint: string;
  subject: string;
  notAfter: Date;
  addedAt: Date;
}

/** A connection as the admin API and the CLI show it: never its client secret. */
export interface SsoConnectionView {
  id: string;
  orgId: string;
  name: string;
  protocol: SsoProtocol;
  enabled: boolean;
  provisioning: SsoProvisioning;
  attributeMapping: AttributeMapping;
  saml: {
    idpEntityId: string;
    idpSsoUrl: string;
    idpSloUrl: string | null;
    metadataUrl: string | null;
  } | null;
  oidc: { issuer: string; clientId: string; scopes: string[]; hasClientSecret: boolean } | null;
  /** What the upstream's administrator registers Vigil as. */
  serviceProvider:
    | { entityId: string; acsUrl: string; metadataUrl: string }
    | { redirectUri: string };
  certificates: ConnectionCertificate[];
  createdAt: Date;
  updatedAt: Date;
}

/** Vigil's own addresses for one connection (docs/sso.md#connecting-your-identity-provider). */
export function serviceProviderUrls(publicUrl: string, connectionId: string) {
  const base = `${publicUrl.replace(/\/+$/, '')}/sso/${connectionId}`;
  return {
    entityId: base,
    acsUrl: `${base}/acs`,
    metadataUrl: `${base}/metadata`,
    redirectUri: `${base}/callback`,
  };
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a browser-facing upstream URL (SAML SSO/SLO, OIDC issuer) is unusable, or null: https, or
 * http on this machine only (a developer's IdP); no credentials or fragment.
 */
export function upstreamUrlProblem(value: string): string | null {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    return 'must be an absolute https:// URL';
  if (url.protocol === 'http:' && !loopbackHosts.has(url.hostname))
    return 'must use https (http only for localhost)';
  if (url.username || url.password || url.hash) return 'takes no credentials or fragment';
  return null;
}
