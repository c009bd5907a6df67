/**
 * Ed25519 public keys as they travel outside the database: a JWK inside a signed document, a PEM
 * or JWK file an auditor holds, and the SHA-256 fingerprint people compare by eye.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

export type PublicJwk = Record<string, unknown>;

export function ed25519PublicJwk(key: KeyObject): PublicJwk {
  return key.export({ format: 'jwk' }) as PublicJwk;
}

/** The Ed25519 public key in a JWK, PEM (SPKI) text or JWK text; throws when it is none. */
export function ed25519PublicKeyFrom(source: PublicJwk | string): KeyObject {
  const key =
    typeof source !== 'string'
      ? createPublicKey({ key: source as import('node:crypto').JsonWebKey, format: 'jwk' })
      : source.trimStart().startsWith('{')
        ? createPublicKey({ key: JSON.parse(source), format: 'jwk' })
        : createPublicKey(source);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
  return key;
}

/** SHA-256 of the key's SubjectPublicKeyInfo (DER), hex. */
export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}
