import fc from 'fast-check';
import type { Operation } from './checks.ts';
import { hostileString, invalidValue, type JsonSchema, validValue } from './schema-arbitrary.ts';

/** One request the fuzzer sends. */
export interface FuzzRequest {
  family: 'api' | 'form' | 'oauth';
  /** `METHOD /template`: what the failure report names. */
  label: string;
  method: string;
  /** Already encoded, query included. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Admin API requests: the operation whose responses the answer must match. */
  operation?: Operation;
}

/** What the generators draw real values from, so that valid requests get past the lookups. */
export interface FuzzWorld {
  document: JsonSchema;
  orgIds: string[];
  /** Users that may be acted on (never the fuzzer's own callers). */
  userIds: string[];
  roleKeys: string[];
  /** `Authorization` values, each with its weight: the callers of the admin API, and nonsense. */
  authorizations: [weight: number, value: string][];
  clientId: string;
  clientSecret: string;
  /** The CSRF value of the fuzzer's browser (cookie and field), and its session cookie. */
  csrf: string;
  cookie: string;
}

/** `encodeURIComponent` of any string: a lone surrogate is sent as U+FFFD instead of throwing. */
const encode = (value: string) => encodeURIComponent(value.toWellFormed());

const formBody = (pairs: [string, string][]) =>
  pairs.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&');

/** A generated value as query text (objects and arrays as JSON). */
const queryText = (value: unknown) =>
  value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);

/** Printable ASCII only: Node refuses to send anything else in a header. */
const headerSafe = (value: string) => value.replace(/[^\x20-\x7e]/g, '');

/** A path segment a router or a UUID check must refuse: bad escapes, NUL, over-long, hostile. */
const badSegment = fc.oneof(
  fc.constantFrom('%ZZ', '%', 'a%00b', '%C0%AF', '..', '%2e%2e'),
  fc.integer({ min: 101, max: 300 }).map((n) => 'x'.repeat(n)),
  hostileString.map(encode),
);

/** A field sent once (usually), left out, sent twice, or hostile. */
function fieldPairs(name: string, plausible: fc.Arbitrary<string>) {
  return fc.oneof(
    { weight: 6, arbitrary: plausible.map((v): [string, string][] => [[name, v]]) },
    { weight: 2, arbitrary: hostileString.map((v): [string, string][] => [[name, v]]) },
    { weight: 1, arbitrary: fc.constant<[string, string][]>([]) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(plausible, fc.oneof(plausible, hostileString))
        .map(([a, b]): [string, string][] => [
          [name, a],
          [name, b],
        ]),
    },
  );
}

function pairsOf(fields: Record<string, fc.Arbitrary<string>>) {
  return fc
    .tuple(...Object.entries(fields).map(([name, arb]) => fieldPairs(name, arb)))
    .map((lists) => lists.flat());
}

function pathParamValue(name: string, world: FuzzWorld): fc.Arbitrary<string> {
  const valid =
    name === 'orgId'
      ? fc.constantFrom(...world.orgIds)
      : name === 'userId'
        ? fc.oneof(fc.constantFrom(...world.userIds), fc.uuid())
        : name === 'roleKey'
          ? fc.oneof(
              fc.constantFrom(...world.roleKeys),
              fc.stringMatching(/^[a-z][a-z0-9-]{1,20}$/),
            )
          : name === 'clientId'
            ? fc.oneof(fc.constant(world.clientId), fc.uuid())
            : fc.uuid();
  return fc.oneof(
    { weight: 9, arbitrary: valid.map(encode) },
    { weight: 1, arbitrary: badSegment },
  );
}

interface ParameterDoc {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema: JsonSchema;
}

interface OperationDoc extends Operation {
  parameters?: ParameterDoc[];
  requestBody?: { content: Record<string, { schema: JsonSchema; example?: unknown }> };
}

/** Requests for one operation of the document: mostly valid, deliberately invalid in part. */
function operationRequest(
  world: FuzzWorld,
  template: string,
  method: string,
  op: OperationDoc,
): fc.Arbitrary<FuzzRequest> {
  const { document } = world;
  const params = op.parameters ?? [];
  const path = fc
    .tuple(
      ...params
        .filter((p) => p.in === 'path')
        .map((p) => pathParamValue(p.name, world).map((v) => [p.name, v] as const)),
    )
    .map((values) =>
      values.reduce((url, [name, value]) => url.replace(`{${name}}`, value), template),
    );
  const queryPairs = fc
    .tuple(
      ...params
        .filter((p) => p.in === 'query')
        .map((p) => {
          const value = fc.oneof(
            { weight: 6, arbitrary: validValue(p.schema, document).map(queryText) },
            { weight: 2, arbitrary: invalidValue(p.schema, document).map(queryText) },
          );
          return fieldPairs(p.name, value);
        }),
      // Now and then a parameter the operation does not have.
      fc.oneof(
        { weight: 9, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(hostileString, hostileString) },
      ),
    )
    .map((lists) => {
      const extra = lists.pop() as [string, string] | null;
      const pairs = (lists as [string, string][][]).flat();
      return extra ? [...pairs, extra] : pairs;
    });
  const media = op.requestBody?.content['application/json'];
  const body: fc.Arbitrary<string | undefined> = media
    ? fc.oneof(
        { weight: 3, arbitrary: validValue(media.schema, document).map((v) => JSON.stringify(v)) },
        { weight: 2, arbitrary: fc.constant(JSON.stringify(media.example ?? {})) },
        {
          weight: 4,
          arbitrary: invalidValue(media.schema, document).map((v) => JSON.stringify(v)),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '{"a":',
            '',
            'null',
            '[]',
            '"\\u0000"',
            '{"__proto__":{"x":1}}',
          ),
        },
      )
    : fc.constant(undefined);
  const ifMatch = fc.option(
    fc.constantFrom('W/"v0"', 'W/"v1"', 'W/"v2"', '*', 'W/"v99999999999999999"', 'nonsense'),
    {
      freq: 4,
    },
  );
  const contentType = fc.oneof(
    { weight: 9, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded') },
  );
  return fc
    .record({
      path,
      queryPairs,
      body,
      authorization: fc.oneof(
        ...world.authorizations.map(([weight, value]) => ({
          weight,
          arbitrary: fc.constant(value),
        })),
      ),
      ifMatch,
      contentType,
    })
    .map((r) => {
      const query = r.queryPairs.length > 0 ? `?${formBody(r.queryPairs)}` : '';
      const headers: Record<string, string> = {};
      if (r.authorization) headers.authorization = r.authorization;
      if (r.ifMatch) headers['if-match'] = r.ifMatch;
      if (r.body !== undefined) headers['content-type'] = r.contentType;
      return {
        family: 'api',
        label: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        path: `${r.path}${query}`,
        headers,
        ...(r.body !== undefined ? { body: r.body } : {}),
        operation: op,
      } satisfies FuzzRequest;
    });
}

/** Every operation of the admin API's document, each as likely as the others. */
export function apiRequests(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const paths = world.document.paths as Record<string, Record<string, OperationDoc>>;
  const operations = Object.entries(paths).flatMap(([template, ops]) =>
    Object.entries(ops).map(([method, op]) => operationRequest(world, template, method, op)),
  );
  return fc.oneof(...operations);
}

const text = fc.string({ maxLength: 30 });
const emailish = fc.oneof(fc.constantFrom('dana@acme.test', 'nobody@acme.test'), text);
const password = fc.oneof(fc.constant('Correct-Horse-Battery-9'), text);

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
        cookie: fc.constantFrom(world.cookie, ''),
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
      ({ path, body }): FuzzRequest => ({
        family: 'form',
        label: `POST ${path} (JSON)`,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', cookie: world.cookie },
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
    )
    .map(
      ([path, tail]): FuzzRequest => ({
        family: 'form',
        label: `GET ${path}`,
        method: 'GET',
        path: /[=/]$/.test(path) ? `${path}${tail}` : path,
        headers: { accept: 'text/html', cookie: world.cookie },
      }),
    );
  return fc.oneof(
    { weight: 4, arbitrary: fc.oneof(...posts) },
    { weight: 1, arbitrary: jsonPosts },
    { weight: 1, arbitrary: gets },
  );
}

/** oidc-provider's endpoints with plausible and hostile parameters. */
export function oauthRequests(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const basic = `Basic ${Buffer.from(`${world.clientId}:${world.clientSecret}`).toString('base64')}`;
  const any = fc.oneof(text, hostileString);
  const clientId = fc.oneof(fc.constant(world.clientId), any);
  const endpoints: [string, string, Record<string, fc.Arbitrary<string>>][] = [
    [
      'GET',
      '/oauth2/authorize',
      {
        client_id: clientId,
        response_type: fc.constantFrom('code', 'token', 'id_token'),
        redirect_uri: fc.constantFrom('https://rp.example.test/callback', 'https://evil.test/'),
        scope: fc.constantFrom('openid', 'openid email profile offline_access', ''),
        state: any,
        code_challenge: any,
        code_challenge_method: fc.constantFrom('S256', 'plain'),
        response_mode: fc.constantFrom('query', 'form_post', 'fragment'),
      },
    ],
    [
      'POST',
      '/oauth2/token',
      {
        grant_type: fc.constantFrom(
          'authorization_code',
          'refresh_token',
          'client_credentials',
          'password',
        ),
        code: any,
        refresh_token: any,
        redirect_uri: any,
        code_verifier: any,
        client_id: clientId,
        scope: any,
        resource: any,
      },
    ],
    ['POST', '/oauth2/introspect', { token: any, token_type_hint: any }],
    ['POST', '/oauth2/revoke', { token: any, token_type_hint: any }],
    ['GET', '/oauth2/logout', { id_token_hint: any, post_logout_redirect_uri: any, state: any }],
    ['POST', '/oauth2/logout', { id_token_hint: any, post_logout_redirect_uri: any, state: any }],
    ['POST', '/oauth2/logout/confirm', { xsrf: any, logout: fc.constantFrom('yes', '') }],
    ['GET', '/oauth2/userinfo', {}],
    ['GET', '/oauth2/jwks', {}],
    ['GET', '/.well-known/openid-configuration', {}],
  ];
  const requests = endpoints.map(([method, path, fields]) =>
    fc
      .record({
        pairs: pairsOf(fields),
        authorization: fc.constantFrom(basic, 'Bearer x.y.z', 'Basic Og==', ''),
      })
      .map(({ pairs, authorization }): FuzzRequest => {
        const encoded = formBody(pairs);
        const headers: Record<string, string> = authorization
          ? { authorization: headerSafe(authorization) }
          : {};
        if (method === 'GET')
          return {
            family: 'oauth',
            label: `GET ${path}`,
            method,
            path: encoded ? `${path}?${encoded}` : path,
            headers,
          };
        return {
          family: 'oauth',
          label: `POST ${path}`,
          method,
          path,
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: encoded,
        };
      }),
  );
  const strayPath = badSegment.map(
    (segment): FuzzRequest => ({
      family: 'oauth',
      label: 'GET /oauth2/{bad}',
      method: 'GET',
      path: `/oauth2/${segment}`,
      headers: {},
    }),
  );
  return fc.oneof(
    { weight: 9, arbitrary: fc.oneof(...requests) },
    { weight: 1, arbitrary: strayPath },
  );
}
