import fc from 'fast-check';
import {
  badSegment,
  cookieHeader,
  emailish,
  encode,
  type FuzzRequest,
  type FuzzWorld,
  formBody,
  pairsOf,
  password,
  text,
} from './requests.ts';
import { hostileString } from './schema-arbitrary.ts';

/** The hosted pages' forms (and a few of their GETs), posted with and without a valid CSRF. */
export function formRequests(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const forms: [string, Record<string, fc.Arbitrary<string>>][] = [
    ['/login', { email: emailish, password, org: fc.constantFrom('acme', 'globex', '') }],
    ['/login/mfa', { code: fc.stringMatching(/^\d{6}$/) }],
    ['/login/enroll', { code: fc.stringMatching(/^\d{6}$/) }],
    ['/login/password', { password, confirmation: password }],
    ['/password-reset', { email: emailish }],
    ['/password-reset/confirm?token=abc.def', { password, confirmation: password }],
    ['/logout', {}],
    [
      '/bootstrap',
      { token: text, email: emailish, displayName: text, password, passwordConfirmation: password },
    ],
    ['/account/sessions/end', { session: fc.uuid() }],
    ['/account/sessions/end-others', {}],
    ['/account/devices/forget', { device: fc.oneof(fc.uuid(), text) }],
    ['/account/devices/forget-all', {}],
    ['/account/applications/revoke', { grant: text }],
    ['/account/factors/remove', { factor: fc.uuid() }],
    ['/account/recovery-codes', {}],
    ['/account/password', { current: password, password, confirmation: password }],
    ['/interaction/abc/consent', { decision: fc.constantFrom('allow', 'deny') }],
  ];
  const posts = forms.map(([path, fields]) =>
    fc
      .record({
        pairs: pairsOf({ ...fields, csrf: fc.constant(world.csrf) }),
        cookie: cookieHeader(world),
      })
      .map(
        ({ pairs, cookie }): FuzzRequest => ({
          family: 'form',
          label: `POST ${path.split('?')[0]}`,
          method: 'POST',
          path,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'text/html',
            ...(cookie ? { cookie } : {}),
          },
          body: formBody(pairs),
        }),
      ),
  );
  // The passkey ceremonies and the bootstrap page also take JSON.
  const jsonPosts = fc
    .record({
      cookie: cookieHeader(world),
      path: fc.constantFrom(
        '/login/mfa/passkey/options',
        '/login/mfa/passkey',
        '/account/passkeys/options',
        '/account/passkeys',
        '/bootstrap',
      ),
      body: fc.record(
        {
          csrf: fc.oneof(fc.constant(world.csrf), hostileString),
          challengeId: fc.oneof(fc.uuid(), hostileString),
          response: fc.oneof(
            fc.jsonValue({ maxDepth: 3 }),
            fc.record({
              id: text,
              rawId: text,
              type: fc.constant('public-key'),
              response: fc.object(),
            }),
          ),
          label: hostileString,
          token: hostileString,
          email: emailish,
        },
        { requiredKeys: [] },
      ),
    })
    .map(
      ({ path, body, cookie }): FuzzRequest => ({
        family: 'form',
        label: `POST ${path} (JSON)`,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify(body),
      }),
    );
  const gets = fc
    .tuple(
      fc.constantFrom(
        '/login',
        '/login/mfa',
        '/password-reset',
        '/password-reset/confirm?token=',
        '/bootstrap?token=',
        '/account',
        '/account/totp',
        '/interaction/',
        '/nope/',
      ),
      fc.oneof(text.map(encode), badSegment),
      cookieHeader(world),
    )
    .map(
      ([path, tail, cookie]): FuzzRequest => ({
        family: 'form',
        label: `GET ${path}`,
        method: 'GET',
        path: /[=/]$/.test(path) ? `${path}${tail}` : path,
        headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) },
      }),
    );
  return fc.oneof(
    { weight: 4, arbitrary: fc.oneof(...posts) },
    { weight: 1, arbitrary: jsonPosts },
    { weight: 1, arbitrary: gets },
  );
}
