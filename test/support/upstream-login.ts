import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import { mapAdapter } from './upstream-oidc.ts';

/** A person at the upstream IdP: the password its login page checks and the claims it releases. */
export interface UpstreamPerson {
  username: string;
  password: string;
  claims: Record<string, unknown> & { sub: string };
}

const htmlEscaped = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * An organization's own identity provider for browser tests: `oidc-provider` (not Vigil) on its
 * own origin, http://127.0.0.1:<port>, with a login page of its own (username and password,
 * as Okta's or Entra's), so that a real browser types into it. Consent is implied (an enterprise
 * IdP's assigned application). Clients are registered at run time, since Vigil's redirect URI
 * names the connection's id.
 */
export async function startUpstreamWithLogin(name: string) {
  const people = new Map<string, UpstreamPerson>();
  const stored = new Map<string, Record<string, unknown>>();
  /** Every sign-in the login page accepted (username), and every refusal. */
  const signIns: string[] = [];
  const refusals: string[] = [];

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const configuration: Configuration = {
    adapter: mapAdapter(stored),
    jwks: {
      keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'upstream-login-1', alg: 'RS256' }],
    },
    cookies: { keys: ['upstream-login-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    // Okta and Entra put the scope claims in the ID token.
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const person = [...people.values()].find((p) => p.claims.sub === id);
      if (!person) return undefined;
      return { accountId: id, claims: () => ({ ...person.claims }) };
    },
    async loadExistingGrant(ctx) {
      const oidc = ctx.oidc;
      const existing =
        oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client?.clientId ?? '');
      if (existing) return oidc.provider.Grant.find(existing);
      const grant = new oidc.provider.Grant({
        clientId: oidc.client?.clientId,
        accountId: oidc.session?.accountId,
      });
      grant.addOIDCScope(String(oidc.params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  const handle = provider.callback();

  const loginPage = (res: ServerResponse, uid: string, problem?: string) =>
    res
      .writeHead(problem ? 401 : 200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><title>${htmlEscaped(name)}</title><h1>${htmlEscaped(name)} sign-in</h1>` +
          (problem ? `<p role="alert">${htmlEscaped(problem)}</p>` : '') +
          `<form method="post" action="/interaction/${htmlEscaped(uid)}/login">` +
          '<label>Username <input name="username" autocomplete="username"></label>' +
          '<label>Password <input name="password" type="password"></label>' +
          `<button type="submit">Sign in to ${htmlEscaped(name)}</button></form>`,
      );

  async function interact(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') return loginPage(res, details.uid);
    const form = new URLSearchParams(await readBody(req));
    const person = people.get(form.get('username') ?? '');
    if (!person || person.password !== form.get('password')) {
      refusals.push(form.get('username') ?? '');
      return loginPage(res, details.uid, 'Wrong username or password.');
    }
    signIns.push(person.username);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: person.claims.sub, amr: ['pwd'] } },
      { mergeWithLastSubmission: false },
    );
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`upstream error: ${String(err)}`);
      });
      return;
    }
    handle(req, res);
  });

  return {
    issuer,
    people,
    signIns,
    refusals,
    /** A person who can sign in at the login page. */
    addPerson(person: UpstreamPerson) {
      people.set(person.username, person);
    },
    /** Registers Vigil as a confidential client (client_secret_basic). */
    async registerClient(client: {
      clientId: string;
      clientSecret: string;
      redirectUris: string[];
    }) {
      await new (mapAdapter(stored))('Client').upsert(client.clientId, {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: client.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type UpstreamWithLogin = Awaited<ReturnType<typeof startUpstreamWithLogin>>;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
