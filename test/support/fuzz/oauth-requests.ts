import fc from 'fast-check';
import {
  badSegment,
  cookieHeader,
  type FuzzRequest,
  type FuzzWorld,
  formBody,
  pairsOf,
  text,
} from './requests.ts';
import { hostileString } from './schema-arbitrary.ts';

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
        cookie: cookieHeader(world),
      })
      .map(({ pairs, authorization, cookie }): FuzzRequest => {
        const encoded = formBody(pairs);
        const headers: Record<string, string> = {
          ...(authorization ? { authorization } : {}),
          ...(cookie ? { cookie } : {}),
        };
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
