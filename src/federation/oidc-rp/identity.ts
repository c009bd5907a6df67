import { sha256 } from '../../crypto/index.ts';
import type { AttributeMapping, UpstreamIdentity } from '../protocol.ts';

/** amr (RFC 8176) and acr values that count as a second factor unless the mapping says others. */
export const defaultMfaValues = ['mfa', 'otp', 'hwk', 'swk'];

/** Claims that only serve the protocol's own checks: not worth an audit detail. */
const protocolClaims = new Set(['nonce', 'at_hash', 'c_hash', 's_hash', 'sid']);

type Claims = Record<string, unknown>;

/** How far an upstream's clock may run ahead of (or behind) Vigil's (seconds). */
const clockTolerance = 300;

/**
 * Whether the ID token's `auth_time` shows an authentication at `since` or later (give or take
 * the clock tolerance): Vigil asked for a fresh one (prompt=login, max_age=0).
 */
export function authenticatedSince(idTokenClaims: Claims, since: Date): boolean {
  const authTime = idTokenClaims.auth_time;
  return typeof authTime === 'number' && authTime >= since.getTime() / 1000 - clockTolerance;
}

/**
 * Whether an ID token says it was issued later than now can be: openid-client checks `exp`,
 * `nbf` and an `iat` too far in the past, not one in the future (OIDC Core §3.1.3.7 step 10
 * leaves the window to the client). A token from the future is a forged or misdated one.
 */
export function issuedInTheFuture(idTokenClaims: Claims, now: Date): boolean {
  const iat = idTokenClaims.iat;
  return typeof iat === 'number' && iat > now.getTime() / 1000 + clockTolerance;
}

/**
 * The identity an ID token (and, for what it lacks, the UserInfo answer of the same subject)
 * proves, per the connection's mapping (docs/sso.md#oidc-claims). `idToken` is the compact JWT,
 * hashed into the reference when it has no `jti`.
 */
export function identityFromClaims(
  idTokenClaims: Claims,
  userinfo: Claims | null,
  idToken: string,
  mapping: AttributeMapping,
): UpstreamIdentity {
  const emailClaim = mapping.email ?? 'email';
  // The email and its email_verified come from the same answer: the ID token when it has the
  // email, else the UserInfo answer. A verified flag of one never vouches for the other's email.
  const emailSource = idTokenClaims[emailClaim] !== undefined ? idTokenClaims : (userinfo ?? {});
  const email = emailOf(emailSource[emailClaim], emailSource.email_verified);
  const merged: Claims = { ...(userinfo ?? {}), ...idTokenClaims };
  const mfaValues = mapping.mfaValues?.length ? mapping.mfaValues : defaultMfaValues;
  const amr = Array.isArray(idTokenClaims.amr) ? idTokenClaims.amr.map(String) : [];
  const acr = typeof idTokenClaims.acr === 'string' ? idTokenClaims.acr : null;
  const jti = typeof idTokenClaims.jti === 'string' && idTokenClaims.jti ? idTokenClaims.jti : null;
  return {
    subject: String(idTokenClaims.sub),
    email,
    displayName: displayNameOf(merged, mapping.displayName),
    // Only the ID token speaks for how the person authenticated (amr, acr are ID token claims).
    mfa:
      amr.some((value) => mfaValues.includes(value)) || (acr !== null && mfaValues.includes(acr)),
    reference: jti ?? `sha256:${sha256(idToken).toString('hex')}`,
    attributes: attributesOf(merged),
  };
}

/** An email only when the provider does not say it is unverified (email_verified: false). */
function emailOf(value: unknown, verified: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320) return null;
  // Some providers send booleans as strings ("false").
  if (verified === false || verified === 'false') return null;
  return email;
}

function displayNameOf(claims: Claims, claim: string | undefined): string | null {
  const text = (value: unknown) =>
    typeof value === 'string' && value.trim() ? value.trim().slice(0, 200) : null;
  if (claim) return text(claims[claim]);
  const given = text(claims.given_name);
  const family = text(claims.family_name);
  return text(claims.name) ?? (given || family ? [given, family].filter(Boolean).join(' ') : null);
}

/** Every claim as a list of strings (objects as JSON), for the audit event's details. */
function attributesOf(claims: Claims): Record<string, string[]> {
  const attributes: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (protocolClaims.has(name) || value === undefined || value === null) continue;
    attributes[name] = [value]
      .flat()
      .map((one) => (typeof one === 'object' ? JSON.stringify(one) : String(one)));
  }
  return attributes;
}
