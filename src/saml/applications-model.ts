import { z } from 'zod';
import { readCertificate } from '../crypto/index.ts';
import type { SamlBinding, SamlNameIdFormat } from '../platform/index.ts';

/** Hosts a plain-http ACS URL may name: a developer's own machine, never a network host. */
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An ACS or SLO URL: https, or http to this machine (tests, local development). */
export const endpointUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    const url = URL.parse(value);
    if (!url || url.username || url.password || url.hash) return false;
    return (
      url.protocol === 'https:' || (url.protocol === 'http:' && loopbackHosts.has(url.hostname))
    );
  }, 'must be an https URL without credentials or fragment (http only on localhost)');

const binding = z.enum(['post', 'redirect']);
/**
 * The SAML Web Browser SSO profile (profiles §4.1.2) sends a response by POST (or artifact), never
 * by Redirect: an assertion is too large for a URL and would land in logs and browser history.
 */
const acsBinding = z.enum(['post'], {
  error: 'an ACS URL takes the HTTP-POST binding: the SAML profile forbids responses by Redirect',
});
export const nameIdFormats = ['email', 'persistent', 'transient', 'unspecified'] as const;
export const attributeSources = ['email', 'displayName', 'userId', 'roles', 'orgSlug'] as const;

const acsUrl = z
  .object({
    url: endpointUrl,
    binding: acsBinding.default('post'),
    index: z.number().int().min(0).max(65535).optional(),
    isDefault: z.boolean().optional(),
  })
  .strict();

const attribute = z
  .object({
    name: z.string().trim().min(1).max(200),
    source: z.enum(attributeSources),
    nameFormat: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

const certificate = z
  .string()
  .max(20_000)
  .refine((pem) => readCertificate(pem) !== null, 'must be one PEM certificate that parses');

/** Every setting of an application; `metadataXml` only on create, read before validation. */
const fields = {
  name: z.string().trim().min(1).max(200),
  entityId: z.string().trim().min(1).max(1024),
  acsUrls: z.array(acsUrl).min(1, 'at least one ACS URL is required').max(20),
  sloUrl: endpointUrl.nullable().optional(),
  sloBinding: binding.nullable().optional(),
  nameIdFormat: z.enum(nameIdFormats).optional(),
  attributeMapping: z.array(attribute).max(50).optional(),
  signResponse: z.boolean().optional(),
  signAssertion: z.boolean().optional(),
  encryptAssertion: z.boolean().optional(),
  spCertificate: certificate.nullable().optional(),
  wantRequestsSigned: z.boolean().optional(),
  idpInitiated: z.boolean().optional(),
  defaultRelayState: z.string().max(80).nullable().optional(),
  enabled: z.boolean().optional(),
};

export const applicationCreateSchema = z
  .object({ ...fields, metadataXml: z.string().max(200_000).optional() })
  .strict();

export const applicationChangeSchema = z
  .object(fields)
  .partial()
  .strict()
  .refine((change) => Object.values(change).some((v) => v !== undefined), {
    message: 'change at least one setting',
  });

export interface AcsUrl {
  url: string;
  binding: 'post';
  index: number;
  isDefault: boolean;
}

export interface AttributeMapping {
  name: string;
  source: (typeof attributeSources)[number];
  nameFormat?: string;
}

/** What an application is made of, every default filled in (before it is stored). */
export interface ApplicationSettings {
  name: string;
  entityId: string;
  acsUrls: AcsUrl[];
  sloUrl: string | null;
  sloBinding: SamlBinding | null;
  nameIdFormat: SamlNameIdFormat;
  attributeMapping: AttributeMapping[];
  signResponse: boolean;
  signAssertion: boolean;
  encryptAssertion: boolean;
  spCertificate: string | null;
  wantRequestsSigned: boolean;
  idpInitiated: boolean;
  defaultRelayState: string | null;
  enabled: boolean;
}

type Settings = z.output<typeof applicationCreateSchema>;

/**
 * The settings with defaults, ACS indexes and the one default ACS decided, or the problems that
 * make them unusable (field and message, as the API reports them).
 */
export function settle(
  input: Omit<Settings, 'metadataXml'> & Partial<ApplicationSettings>,
): { settings: ApplicationSettings } | { field: string; problem: string } {
  const acs = input.acsUrls;
  const defaults = acs.filter((a) => a.isDefault === true).length;
  if (defaults > 1) return { field: 'acsUrls', problem: 'exactly one ACS URL may be the default' };
  const acsUrls: AcsUrl[] = acs.map((a, i) => ({
    url: a.url,
    binding: a.binding,
    index: a.index ?? i,
    isDefault: defaults === 0 ? i === 0 : a.isDefault === true,
  }));
  if (new Set(acsUrls.map((a) => a.index)).size !== acsUrls.length)
    return { field: 'acsUrls', problem: 'every ACS URL needs its own index' };
  const settings: ApplicationSettings = {
    name: input.name,
    entityId: input.entityId,
    acsUrls,
    sloUrl: input.sloUrl ?? null,
    sloBinding: input.sloUrl ? (input.sloBinding ?? 'redirect') : null,
    nameIdFormat: input.nameIdFormat ?? 'email',
    attributeMapping: (input.attributeMapping ?? []).map((a) =>
      a.nameFormat ? a : { name: a.name, source: a.source },
    ),
    signResponse: input.signResponse ?? true,
    signAssertion: input.signAssertion ?? true,
    encryptAssertion: input.encryptAssertion ?? false,
    spCertificate: input.spCertificate ? (readCertificate(input.spCertificate)?.pem ?? null) : null,
    wantRequestsSigned: input.wantRequestsSigned ?? false,
    idpInitiated: input.idpInitiated ?? false,
    defaultRelayState: input.defaultRelayState ?? null,
    enabled: input.enabled ?? true,
  };
  if (!settings.signResponse && !settings.signAssertion)
    return { field: 'signResponse', problem: 'sign the response, the assertion, or both' };
  if (settings.encryptAssertion && !settings.spCertificate)
    return { field: 'spCertificate', problem: 'an encrypted assertion needs the SP certificate' };
  if (settings.wantRequestsSigned && !settings.spCertificate)
    return { field: 'spCertificate', problem: 'checking signed requests needs the SP certificate' };
  return { settings };
}
