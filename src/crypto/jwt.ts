import { createLocalJWKSet, decodeJwt, type JWK, type JWTPayload, jwtVerify } from 'jose';

export type { JWTPayload };

/**
 * The `sub` of a JWT read without checking it: only for a token already verified elsewhere (an
 * `id_token_hint` oidc-provider checked). Undefined when it does not parse.
 */
export function unverifiedSubject(token: string): string | undefined {
  try {
    return decodeJwt(token).sub;
  } catch {
    return undefined;
  }
}

/**
 * A verifier of JWTs signed by one of `publicKeys` (a JWKS's keys): answers the payload, or
 * undefined for a bad signature, another issuer, audience or type, or an expired token.
 */
export function jwtVerifier(publicKeys: Record<string, unknown>[]) {
  const keySet = createLocalJWKSet({ keys: publicKeys as JWK[] });
  return async (
    token: string,
    expected: { issuer: string; audience: string; typ: string; now: Date },
  ): Promise<JWTPayload | undefined> => {
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: expected.issuer,
        audience: expected.audience,
        typ: expected.typ,
        algorithms: ['ES256', 'RS256'],
        currentDate: expected.now,
      });
      return payload;
    } catch {
      return undefined;
    }
  };
}
