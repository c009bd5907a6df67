import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { decodeJwt, SignJWT } from 'jose';
import Provider, { type Configuration, type InteractionResults } from 'oidc-provider';

/** A person at the upstream provider: the claims it releases about them. */
export type UpstreamAccount = Record<string, unknown> & { sub: string };

/** How the upstream's login page decides: who signs in and how, or an error for the RP. */
export type UpstreamDecision =
  | { accountId: string; amr?: string[]; acr?: string }
  | { error: string; description?: string };

export interface UpstreamOptions {
  /**
   * oidc-provider's default: scope claims (email, name) reach the ID token only for
   * response_type=id_token, so a code flow RP must read them from UserInfo. false puts them in
   * the ID token as Okta and Entra do.
   */
  conformIdTokenClaims?: boolean;
  /** Advertised token endpoint authentication methods (what the RP must choose from). */
  tokenEndpointAuthMethods?: ('client_secret_basic' | 'client_secret_post' | 'none')[];
  /** Serve https://127.0.0.1:<port> with this certificate instead of plain http. */
  tls?: { certPem: string; keyPem: string };
}

/**
 * An independent OpenID provider (`oidc-provider`, not Vigil) on its own origin,
 * http://127.0.0.1:<port> (or https with `tls`), playing an organization's identity provider. Its login page is a
 * test decision (`decide`): who signed in, with which `amr`/`acr`, or an error such as
 * access_denied; consent is implied (first-party, as an enterprise IdP's assigned apps are).
 * Clients are registered at run time (`registerClient`), since Vigil's redirect URI names a
 * connection ID known only once the connection exists.
 */
export async function startUpstreamOidc(options: UpstreamOptions = {}) {
  const accounts = new Map<string, UpstreamAccount>();
  const stored = new Map<string, Record<string, unknown>>();
  const state = {
    decide: (): UpstreamDecision => ({ accountId: 'alice', amr: ['pwd'] }),
    /** Rewrites the token endpoint's JSON answer before it leaves (forgery tests). */
    tamperToken: null as
      | null
      | ((
          body: Record<string, unknown>,
        ) => Record<string, unknown> | Promise<Record<string, unknown>>),
    /** Rewrites the UserInfo endpoint's JSON answer. */
    tamperUserinfo: null as null | ((body: Record<string, unknown>) => Record<string, unknown>),
    discoveries: 0,
    tokenRequests: [] as {
      grantType: string;
      basic: boolean;
      postedSecret: boolean;
      status: number;
    }[],
  };

  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.certPem, key: options.tls.keyPem })
    : createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scheme = options.tls ? 'https' : 'http';
  const issuer = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const configuration: Configuration = {
    adapter: mapAdapter(stored),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'upstream-1', alg: 'RS256' }] },
    cookies: { keys: ['upstream-test-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Grant: 600,
      Interaction: 600,
      Session: 600,
    },
    conformIdTokenClaims: options.conformIdTokenClaims ?? true,
    clientAuthMethods: options.tokenEndpointAuthMethods ?? [
      'client_secret_basic',
      'client_secret_post',
      'none',
    ],
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ ...account }) };
    },
    // First-party consent: the grant covers what was asked.
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
  provider.use(async (ctx, next) => {
    if (ctx.path === '/.well-known/openid-configuration') state.discoveries += 1;
    await next();
    if (ctx.path === '/me' && state.tamperUserinfo && ctx.status === 200)
      ctx.body = state.tamperUserinfo(ctx.body as Record<string, unknown>);
    if (ctx.path !== '/token' || ctx.method !== 'POST') return;
    // How the client authenticated: the Basic header, or the secret in the form.
    const form = (ctx.oidc as { body?: Record<string, unknown> } | undefined)?.body ?? {};
    state.tokenRequests.push({
      grantType: String(form.grant_type),
      basic: /^Basic /i.test(ctx.get('authorization')),
      postedSecret: typeof form.client_secret === 'string',
      status: ctx.status,
    });
    if (state.tamperToken && ctx.status === 200)
      ctx.body = await state.tamperToken(ctx.body as Record<string, unknown>);
  });
  const handle = provider.callback();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      });
      return;
    }
    handle(req, res);
  });

  async function interact(req: IncomingMessage, res: ServerResponse) {
    await provider.interactionDetails(req, res);
    const decision = state.decide();
    const result: InteractionResults =
      'error' in decision
        ? { error: decision.error, error_description: decision.description ?? 'refused' }
        : {
            login: {
              accountId: decision.accountId,
              ...(decision.amr ? { amr: decision.amr } : {}),
              ...(decision.acr ? { acr: decision.acr } : {}),
            },
          };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  /**
   * The ID token with some claims changed and signed again with the provider's own key: a token
   * whose signature is valid but whose audience, issuer, expiry or subject is not.
   */
  async function resign(idToken: string, change: Record<string, unknown>): Promise<string> {
    const claims = { ...decodeJwt(idToken), ...change };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'upstream-1', typ: 'JWT' })
      .sign(privateKey);
  }

  return {
    issuer,
    provider,
    resign,
    accounts,
    state,
    /** Registers a confidential client (client_secret_basic unless said otherwise). */
    async registerClient(client: {
      clientId: string;
      clientSecret?: string;
      redirectUris: string[];
      tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
      grantTypes?: string[];
    }) {
      await new (mapAdapter(stored))('Client').upsert(client.clientId, {
        client_id: client.clientId,
        ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
        redirect_uris: client.redirectUris,
        grant_types: client.grantTypes ?? ['authorization_code'],
        response_types: client.grantTypes?.includes('authorization_code') === false ? [] : ['code'],
        token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_basic',
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type UpstreamOidc = Awaited<ReturnType<typeof startUpstreamOidc>>;

/**
 * oidc-provider's storage as a plain Map of this upstream's own (the bundled memory adapter is
 * shared by every provider in the process). Expiry is not needed within a test.
 */
export function mapAdapter(stored: Map<string, Record<string, unknown>>) {
  return class MapAdapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }
    key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>) {
      stored.set(this.key(id), { ...payload });
    }
    async find(id: string) {
      return stored.get(this.key(id));
    }
    async findByUid(uid: string) {
      for (const [key, payload] of stored)
        if (key.startsWith(`${this.model}:`) && payload.uid === uid) return payload;
      return undefined;
    }
    async findByUserCode(code: string) {
      for (const [key, payload] of stored)
        if (key.startsWith(`${this.model}:`) && payload.userCode === code) return payload;
      return undefined;
    }
    async consume(id: string) {
      const payload = stored.get(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      stored.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, payload] of stored) if (payload.grantId === grantId) stored.delete(key);
    }
  };
}
