import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as oidc from 'openid-client';

/** What the relying party learned from one completed sign-in. */
export interface RpSignIn {
  sub: string;
  /** The HTTP method the authorization response arrived with (GET: query, POST: form_post). */
  method: string;
  idToken: string;
  claims: oidc.IDToken;
  accessToken: string;
}

/**
 * A relying party on its own origin (http://127.0.0.1:<port>, Vigil being https://localhost:<port>),
 * using openid-client as a real application would: `/start` sends the browser to Vigil, `/callback`
 * (GET, or POST for `response_mode=form_post`) exchanges the code, `/logout` starts RP-initiated
 * logout and `/logged-out` is where Vigil sends the browser back.
 */
export async function startRelyingParty(issuer: string) {
  let configuration: oidc.Configuration | undefined;
  const config = () => {
    if (!configuration) throw new Error('the relying party has no client yet: call use()');
    return configuration;
  };
  const pending = new Map<string, { verifier: string; nonce: string }>();
  const signIns: RpSignIn[] = [];
  const errors: string[] = [];
  let loggedOut = 0;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      errors.push(String((err as { cause?: unknown }).cause ?? err));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`relying party error: ${String(err)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const callbackUri = `${origin}/callback`;
  const loggedOutUri = `${origin}/logged-out`;

  const page = (res: ServerResponse, body: string) =>
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><title>RP</title><h1>${body}</h1>`);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/start') {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      pending.set(state, { verifier, nonce });
      const params: Record<string, string> = {
        redirect_uri: callbackUri,
        scope: url.searchParams.get('scope') ?? 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      };
      const mode = url.searchParams.get('response_mode');
      if (mode) params.response_mode = mode;
      const target = url.searchParams.has('par')
        ? await oidc.buildAuthorizationUrlWithPAR(config(), params)
        : oidc.buildAuthorizationUrl(config(), params);
      res.writeHead(303, { location: target.href }).end();
      return;
    }
    if (url.pathname === '/callback') {
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      const params = body ? new URLSearchParams(body) : url.searchParams;
      const state = params.get('state') ?? '';
      const checks = pending.get(state);
      if (!checks) throw new Error(`unknown state ${state}`);
      pending.delete(state);
      const current = new Request(url, {
        method: req.method,
        ...(body !== undefined
          ? { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }
          : {}),
      });
      const tokens = await oidc.authorizationCodeGrant(config(), current, {
        pkceCodeVerifier: checks.verifier,
        expectedState: state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims || !tokens.id_token) throw new Error('no ID token');
      signIns.push({
        sub: claims.sub,
        method: req.method ?? '',
        idToken: tokens.id_token,
        claims,
        accessToken: tokens.access_token,
      });
      page(res, `Signed in at the RP as ${claims.sub}`);
      return;
    }
    if (url.pathname === '/logout') {
      const last = signIns.at(-1);
      if (!last) throw new Error('nobody signed in');
      const target = oidc.buildEndSessionUrl(config(), {
        id_token_hint: last.idToken,
        post_logout_redirect_uri: loggedOutUri,
        state: 'bye',
      });
      res.writeHead(303, { location: target.href }).end();
      return;
    }
    if (url.pathname === '/logged-out') {
      if (url.searchParams.get('state') !== 'bye') throw new Error('logout state lost');
      loggedOut += 1;
      page(res, 'Signed out at the RP');
      return;
    }
    res.writeHead(404).end();
  }

  return {
    origin,
    callbackUri,
    loggedOutUri,
    signIns,
    errors,
    loggedOut: () => loggedOut,
    /** Registers the client (created with `callbackUri` and `loggedOutUri`) the RP signs in with. */
    async use(client: { id: string; secret: string }) {
      configuration = await oidc.discovery(new URL(issuer), client.id, client.secret);
      pending.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

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
