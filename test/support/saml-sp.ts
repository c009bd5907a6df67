import assert from 'node:assert/strict';
import { type Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { createSamlKeyPair, type SamlKeyPair } from '../../src/crypto/index.ts';
import { operatorActor, withOrg } from '../../src/platform/index.ts';
import type { SamlApplication } from '../../src/saml/index.ts';
import { type browserLike, request } from './http.ts';
import type { startOidcWorld } from './oidc.ts';

type World = Awaited<ReturnType<typeof startOidcWorld>>;
type Browser = ReturnType<typeof browserLike>;

export const acsUrl = 'https://sp.example.test/saml/acs';
export const spEntityId = 'https://sp.example.test/saml/metadata';

/** The certificates of one use in an IdP metadata document (base64 DER, in document order). */
export function certificatesIn(metadata: string, use: 'signing' | 'encryption'): string[] {
  const descriptors =
    metadata.match(/<KeyDescriptor[^>]*use="(signing|encryption)"[\s\S]*?<\/KeyDescriptor>/g) ?? [];
  return descriptors
    .filter((d) => d.includes(`use="${use}"`))
    .map((d) => (/<(?:ds:)?X509Certificate>([^<]+)</.exec(d)?.[1] ?? '').replace(/\s+/g, ''));
}

/** Reads the hidden fields and action of the self-posting form Vigil answered with. */
export function postedForm(page: string): { action: string; fields: Record<string, string> } {
  const unescaped = (v: string) =>
    v
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  assert.ok(action, `no self-posting form in: ${page.slice(0, 400)}`);
  const fields: Record<string, string> = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g))
    fields[unescaped(m[1] ?? '')] = unescaped(m[2] ?? '');
  return { action: unescaped(action), fields };
}

/**
 * An independent SP: node-saml in the SP role, trusting the IdP certificates of the metadata
 * Vigil publishes, signing its requests with its own key when asked.
 */
export async function independentSp(
  world: World,
  options: {
    slug?: string;
    key?: SamlKeyPair;
    signRequests?: boolean;
    binding?: 'HTTP-Redirect' | 'HTTP-POST';
    decrypt?: boolean;
    inResponseTo?: boolean;
    entityId?: string;
    acs?: string;
    /** The request's ForceAuthn and IsPassive. */
    forceAuthn?: boolean;
    passive?: boolean;
  } = {},
) {
  const slug = options.slug ?? 'acme';
  const metadata = (await request(`${world.base}/saml/${slug}/metadata`)).text;
  const idpCert = certificatesIn(metadata, 'signing');
  assert.ok(idpCert.length > 0, 'the metadata publishes a signing certificate');
  return new SAML({
    entryPoint: `${world.base}/saml/${slug}/sso`,
    logoutUrl: `${world.base}/saml/${slug}/slo`,
    issuer: options.entityId ?? spEntityId,
    audience: options.entityId ?? spEntityId,
    callbackUrl: options.acs ?? acsUrl,
    idpCert,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    authnRequestBinding: options.binding ?? 'HTTP-Redirect',
    // SAML bindings §3.5.4: a POST-bound message is not deflated (node-saml deflates by default).
    skipRequestCompression: options.binding === 'HTTP-POST',
    validateInResponseTo:
      options.inResponseTo === false ? ValidateInResponseTo.never : ValidateInResponseTo.always,
    ...(options.signRequests && options.key
      ? { privateKey: options.key.privateKey, signatureAlgorithm: 'sha256' as const }
      : {}),
    ...(options.decrypt && options.key ? { decryptionPvk: options.key.privateKey } : {}),
    forceAuthn: options.forceAuthn ?? false,
    passive: options.passive ?? false,
  });
}

export const spKey = () => createSamlKeyPair('sp.example.test', 365);

/** Registers an application in the world's organization (as the operator). */
export function addApplication(
  world: World,
  input: Record<string, unknown>,
  orgId = world.orgId,
): Promise<SamlApplication> {
  return withOrg(world.core.database, orgId, (tx) =>
    world.auth.saml.applications.create(tx, orgId, input, operatorActor),
  );
}

/**
 * Walks the browser from a first Vigil URL through the hosted sign-in (password) until Vigil
 * answers with the self-posting form to the application; returns that page's response.
 */
export async function walkToForm(
  world: World,
  browser: Browser,
  first:
    | { method: 'GET'; path: string }
    | { method: 'POST'; path: string; fields: Record<string, string> },
  as = { email: world.email, password: world.password },
) {
  let res =
    first.method === 'GET'
      ? await browser.get(first.path)
      : await browser.post(first.path, first.fields);
  for (let hops = 0; hops < 10; hops++) {
    if (res.status === 200 && res.text.includes('SAMLResponse')) return res;
    if (res.status === 200 && res.text.includes('name="password"')) {
      res = await browser.post('/login', { ...as, csrf: browser.csrf() });
    } else if (res.headers.location) {
      const next = new URL(res.headers.location, world.base);
      assert.equal(next.origin, world.base, `left Vigil for ${next.href}`);
      res = await browser.get(next.pathname + next.search);
    } else {
      return res;
    }
  }
  assert.fail('too many hops');
}

/**
 * As the application: checks the LogoutRequest Vigil sent by Redirect to `location` and answers
 * it; returns the NameID it named and the path of the LogoutResponse at Vigil, with its query.
 */
export async function answerLogout(sp: SAML, location: string) {
  const url = new URL(location);
  const told = await sp.validateRedirectAsync(
    Object.fromEntries(url.searchParams),
    url.search.slice(1),
  );
  assert.equal(told.loggedOut, true, 'a LogoutRequest node-saml accepts');
  const answer = new URL(
    await sp.getLogoutResponseUrlAsync(
      told.profile as Profile,
      String(url.searchParams.get('RelayState')),
      {},
      true,
    ),
  );
  return { nameId: told.profile?.nameID, answer: answer.pathname + answer.search };
}
