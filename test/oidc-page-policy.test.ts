import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { browserLike, type Response } from './support/http.ts';
import { redirectUri, startOidcWorld } from './support/oidc.ts';

const rpOrigin = new URL(redirectUri).origin;
const cspOf = (res: Response) => String(res.headers['content-security-policy'] ?? '');
const directive = (csp: string, name: string) =>
  csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `));

/**
 * The pages that lead to a relying party name its origin in `form-action` and nothing else; every
 * other page keeps `form-action 'self'` (test/browser-cross-origin.test.ts shows why in Chromium).
 */
describe('content security policy of the pages of an OAuth flow', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let partner: oidc.Configuration;
  let own: oidc.Configuration;

  before(async () => {
    world = await startOidcWorld({}, { totp: false });
    const registration = { kind: 'web' as const, redirectUris: [redirectUri] };
    const third = await world.createClient({ name: 'Partner', ...registration });
    const first = await world.createClient({ name: 'Acme', firstParty: true, ...registration });
    partner = await oidc.discovery(new URL(world.base), third.id, third.secret);
    own = await oidc.discovery(new URL(world.base), first.id, first.secret);
  });
  after(() => world.close());

  const authorizationUrl = async (config: oidc.Configuration, extra: Record<string, string> = {}) =>
    oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      ...extra,
    });

  /** Follows redirects (GET) from `res` until a page answers. */
  async function follow(browser: ReturnType<typeof browserLike>, res: Response) {
    let current = res;
    for (let hops = 0; hops < 10 && current.headers.location; hops++) {
      const next = new URL(current.headers.location, world.base);
      if (next.origin !== world.base) return current;
      current = await browser.get(next.pathname + next.search);
    }
    return current;
  }

  it("keeps form-action 'self' on the sign-in page when no application waits", async () => {
    const page = await browserLike(world.base).get('/login');
    assert.equal(directive(cspOf(page), 'form-action'), "form-action 'self'");
  });

  it("names the client's redirect URI origin on the sign-in and consent pages of its authorization", async () => {
    const browser = browserLike(world.base);
    const url = await authorizationUrl(partner);
    const login = await follow(browser, await browser.get(url.pathname + url.search));
    assert.match(login.text, /name="password"/);
    assert.equal(directive(cspOf(login), 'form-action'), `form-action 'self' ${rpOrigin}`);

    const signedIn = await browser.post('/login', {
      email: world.email,
      password: world.password,
      csrf: browser.csrf(),
    });
    const consent = await follow(browser, signedIn);
    assert.match(consent.text, /Allow Partner to access your account/);
    assert.equal(directive(cspOf(consent), 'form-action'), `form-action 'self' ${rpOrigin}`);
    assert.equal(directive(cspOf(consent), 'script-src'), undefined, 'no script at all');
  });

  it('runs only the hashed script of the form_post page, whose form goes to the redirect URI', async () => {
    const browser = browserLike(world.base);
    const url = await authorizationUrl(own, { response_mode: 'form_post' });
    await follow(browser, await browser.get(url.pathname + url.search));
    const posted = await follow(
      browser,
      await browser.post('/login', {
        email: world.email,
        password: world.password,
        csrf: browser.csrf(),
      }),
    );
    assert.equal(posted.status, 200);
    assert.match(posted.text, new RegExp(`<form method="post" action="${redirectUri}">`));
    const script = /<script>([\s\S]*?)<\/script>/.exec(posted.text)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    const csp = cspOf(posted);
    assert.equal(directive(csp, 'script-src'), `script-src 'sha256-${hash}'`);
    assert.equal(directive(csp, 'form-action'), `form-action 'self' ${rpOrigin}`);
    assert.equal(directive(csp, 'default-src'), "default-src 'none'");
  });

  it("an unregistered redirect URI reaches no policy: the error page keeps 'self'", async () => {
    const browser = browserLike(world.base);
    const url = await authorizationUrl(own, { redirect_uri: 'https://evil.example.test/cb' });
    const refused = await browser.get(url.pathname + url.search);
    assert.equal(refused.status, 400);
    assert.equal(directive(cspOf(refused), 'form-action'), "form-action 'self'");
    assert.doesNotMatch(cspOf(refused), /evil/);

    const unknownClient = new URLSearchParams({
      client_id: 'no-such-client',
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
    });
    const unknown = await browser.get(`/oauth2/authorize?${unknownClient}`);
    assert.equal(unknown.status, 400);
    assert.equal(directive(cspOf(unknown), 'form-action'), "form-action 'self'");
  });
});
