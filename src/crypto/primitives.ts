import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  hash as oneShotHash,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';

/**
 * Every secret random value (tokens, seeds, codes, challenges, keys, IVs) comes from here:
 * node:crypto's CSPRNG (docs/architecture.md#invariant-8), drawn for each
 * value and never shared with ids (docs/adr/0012-secret-randomness-in-crypto.md).
 */
export function randomBytesOf(length: number): Buffer {
  return randomBytes(length);
}

/** One-shot: no Hash object to build, about twice as fast as `createHash` for short inputs. */
export function sha256(data: string | Uint8Array): Buffer {
  return oneShotHash('sha256', data, 'buffer');
}

/** SHA-256 over data given piece by piece (a file streamed into a ZIP), hex when done. */
export function sha256Hasher(): { update(chunk: Uint8Array): void; hex(): string } {
  const hash = createHash('sha256');
  return {
    update: (chunk) => {
      hash.update(chunk);
    },
    hex: () => hash.digest('hex'),
  };
}

/**
 * SHA-256 (hex) of a public key's SubjectPublicKeyInfo, from its JWK (RSA, EC or OKP): the
 * fingerprint of a key an inventory lists. Null when the JWK is not a public key.
 */
export function jwkFingerprint(jwk: object): string | null {
  try {
    const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    return oneShotHash('sha256', key.export({ type: 'spki', format: 'der' }), 'hex');
  } catch {
    return null;
  }
}

export function hmacSha256(key: Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * HMAC-SHA-256 (RFC 2104) under a fixed key, for hot loops: the padded keys are prepared once and
 * each MAC is two one-shot hashes, about three times faster than `createHmac` per message (the
 * audit log MACs every event and `vigil audit verify` re-checks millions).
 */
export function hmacSha256With(key: Uint8Array): (data: string | Uint8Array) => Buffer {
  const block = 64;
  const k = key.length > block ? sha256(key) : Buffer.from(key);
  const ipad = Buffer.alloc(block, 0x36);
  const opad = Buffer.alloc(block, 0x5c);
  for (let i = 0; i < k.length; i++) {
    ipad[i] = (ipad[i] ?? 0) ^ (k[i] ?? 0);
    opad[i] = (opad[i] ?? 0) ^ (k[i] ?? 0);
  }
  return (data) => {
    const message = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const inner = oneShotHash('sha256', Buffer.concat([ipad, message]), 'buffer');
    return oneShotHash('sha256', Buffer.concat([opad, inner]), 'buffer');
  };
}

/** Constant-time equality; different lengths compare unequal without leaking where they differ. */
export function constantTimeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const left = typeof a === 'string' ? Buffer.from(a) : a;
  const right = typeof b === 'string' ? Buffer.from(b) : b;
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

export interface Ed25519KeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

export function generateEd25519(): Ed25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export function ed25519PrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}

export function ed25519PublicKey(pem: string): KeyObject {
  return createPublicKey(pem);
}

export function signEd25519(key: KeyObject, data: Uint8Array): Buffer {
  return sign(null, data, key);
}

export function verifyEd25519(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  return verify(null, data, key, signature);
}

export type { KeyObject };

export type JwkSigningAlg = 'ES256' | 'RS256';

/** A new token-signing key pair as JWKs (P-256 for ES256, 2048-bit RSA for RS256). */
export function generateSigningJwk(alg: JwkSigningAlg): {
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
} {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateJwk: pair.privateKey.export({ format: 'jwk' }) as Record<string, unknown>,
    publicJwk: pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
  };
}
