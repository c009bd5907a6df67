import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import * as oidc from 'openid-client';
import * as OTPAuth from 'otpauth';
import type { RunningServer } from '../../src/app/server.ts';
import { totpCode } from '../../src/auth/mfa/index.ts';
import type { User } from '../../src/identity/index.ts';
import type { ClientInput } from '../../src/oauth/index.ts';
import { operatorActor, withOrg } from '../../src/platform/index.ts';
import { authServices } from './auth.ts';
import { openTestCore, type TestCore } from './core.ts';
import { browserLike, startTestServer } from './http.ts';

// The test server's certificate is self-signed; openid-client uses the global fetch.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

export const redirectUri = 'https://rp.example.test/callback';

export const invalidGrant = (err: unknown) =>
  (err as { cause?: { error?: string } }).cause?.error === 'invalid_grant';

/**
 * A sign-in at `rp` that keeps going after the browser leaves: the authorization code flow with
 * PKCE, `offline_access` with consent, the code exchanged. `authorize` takes the browser from the
 * authorization URL to the callback. The tokens carry a refresh token.
 */
export async function offlineSignIn(rp: oidc.Configuration, authorize: (url: URL) => Promise<URL>) {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: redirectUri,
    scope: 'openid offline_access',
    prompt: 'consent',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const callback = await authorize(url);
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: verifier });
  assert.ok(tokens.refresh_token, 'offline_access with prompt=consent gives a refresh token');
  return tokens as typeof tokens & { refresh_token: string };
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * A running Vigil with an organization and a user who has a password and (with `totp`) a
 * confirmed TOTP factor, ready for relying-party tests: `authorize` walks a browser through the
 * hosted sign-in. Without TOTP a test may sign in many times within one 30-second step.
 */
export async function startOidcWorld(
  env: Record<string, string> = {},
  options: { totp: boolean } = { totp: true },
) {
  const port = await freePort();
  const base = `https://localhost:${port}`;
  // The test's own services issue tokens too: the same issuer as the server's.
  const core: TestCore = await openTestCore({ env: { VIGIL_PUBLIC_URL: base } });
  const server: RunningServer = await startTestServer(core, {
    VIGIL_PORT: String(port),
    VIGIL_PUBLIC_URL: base,
    ...env,
  });
  const orgId = await core.createOrg('acme');
  const auth = authServices(core);
  // The test's own services share the database with the server's; their provider signs too.
  await auth.oauth.reload();
  const email = 'dana@acme.test';
  const password = 'Correct-Horse-Battery-9';
  const user: User = await auth.createUser(orgId, email, password);
  let seed = new Uint8Array();
  if (options.totp) {
    const started = await withOrg(core.database, orgId, (tx) => auth.mfa.startTotp(tx, user));
    seed = new Uint8Array(OTPAuth.Secret.fromBase32(started.secret).buffer as ArrayBuffer);
    // Confirmed with the previous step's code, so that the current one is still unused.
    await withOrg(core.database, orgId, (tx) =>
      auth.mfa.confirmTotp(
        tx,
        user,
        started.factorId,
        totpCode(seed, new Date(Date.now() - 30_000)),
        operatorActor,
      ),
    );
  }

  async function createClient(input: ClientInput): Promise<{ id: string; secret: string }> {
    const created = await withOrg(core.database, orgId, (tx) =>
      auth.oauth.clients.create(tx, orgId, input, operatorActor),
    );
    return { id: created.client.id, secret: created.secret ?? '' };
  }

  /**
   * Walks the browser through the hosted sign-in until the provider redirects to the client, as
   * the world's user or (`as`, a user without TOTP) another.
   */
  async function authorize(
    url: URL,
    browser = browserLike(base),
    as = { email, password },
  ): Promise<URL> {
    let res = await browser.get(url.pathname + url.search);
    for (let hops = 0; hops < 20; hops++) {
      const location = res.headers.location;
      if (location?.startsWith(redirectUri)) return new URL(location);
      if (res.status === 200 && res.text.includes('name="password"')) {
        res = await browser.post('/login', { ...as, csrf: browser.csrf() });
      } else if (res.status === 200 && res.text.includes('name="code"')) {
        res = await browser.post('/login/mfa', {
          code: totpCode(seed, new Date()),
          csrf: browser.csrf(),
        });
      } else if (location) {
        const next = new URL(location, base);
        res = await browser.get(next.pathname + next.search);
      } else {
        assert.fail(`stuck at ${res.status}: ${res.text.slice(0, 300)}`);
      }
    }
    assert.fail('too many redirects');
  }

  return {
    core,
    server,
    base,
    orgId,
    auth,
    user,
    email,
    password,
    createClient,
    authorize,
    /** The current TOTP code of the user (with `totp`). */
    totp: () => totpCode(seed, new Date()),
    async close() {
      await server.stop();
      await core.close();
    },
  };
}

/** An RP's back-channel logout endpoint: keeps every logout token POSTed to it. */
export async function startLogoutReceiver() {
  const tokens: string[] = [];
  const waiting: (() => void)[] = [];
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (token) tokens.push(token);
      res.writeHead(200).end();
      for (const wake of waiting.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    uri: `http://127.0.0.1:${port}/backchannel-logout`,
    tokens,
    /** Resolves once `count` tokens have arrived (fails after 5 s). */
    async received(count: number): Promise<string[]> {
      const deadline = Date.now() + 5000;
      while (tokens.length < count) {
        assert.ok(Date.now() < deadline, `expected ${count} logout tokens, got ${tokens.length}`);
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return tokens.slice(0, count);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
