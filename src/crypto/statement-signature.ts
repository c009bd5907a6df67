import type { LoadedPlatformKey } from './platform-keys.ts';
import { signEd25519, verifyEd25519 } from './primitives.ts';

/**
 * Ed25519 signatures over short statements Vigil hands out for others to publish (an email
 * domain's verification file, docs/sso.md#home-realm-discovery-and-domains), under a platform
 * key whose main use is another. `context` separates them: the signed bytes start with it and a
 * NUL, which no other message the key signs begins with, so a statement's signature can never
 * stand for an audit seal, nor the other way round.
 */
const framed = (context: string, statement: string): Buffer =>
  Buffer.from(`${context}\u0000${statement}`, 'utf8');

export function signStatement(key: LoadedPlatformKey, context: string, statement: string): string {
  if (!key.privateKey) throw new Error(`platform key ${key.id} cannot sign (not Ed25519)`);
  return signEd25519(key.privateKey, framed(context, statement)).toString('base64url');
}

export function verifyStatement(
  key: LoadedPlatformKey,
  context: string,
  statement: string,
  signature: string,
): boolean {
  if (!key.publicKey || !/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
  return verifyEd25519(
    key.publicKey,
    framed(context, statement),
    Buffer.from(signature, 'base64url'),
  );
}
