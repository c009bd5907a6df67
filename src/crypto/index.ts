export { open as aeadOpen, seal as aeadSeal } from './aead.ts';
export { canonicalJson } from './canonical-json.ts';
export { type CertificateValidity, certificatesInPem } from './certificates.ts';
export {
  ed25519PublicJwk,
  ed25519PublicKeyFrom,
  type PublicJwk,
  publicKeyFingerprint,
} from './ed25519-public.ts';
export { cryptoErrors } from './errors.ts';
export { type JWTPayload, jwtVerifier, unverifiedSubject } from './jwt.ts';
export type { DataKeyRow } from './keyring.store.ts';
export { type CipherLocation, type Keyring, keyIdOf, openKeyring } from './keyring.ts';
export {
  generateMasterKeyBase64,
  loadMasterKeys,
  type MasterKey,
  type MasterKeys,
  masterKeyFileName,
  masterKeyFromBase64,
} from './master-key.ts';
export {
  hashPassword,
  passwordHashParams,
  passwordNeedsRehash,
  sizeThreadPoolForHashing,
  verifyPassword,
} from './password.ts';
export type { PlatformKeyRow } from './platform-keys.store.ts';
export {
  createPlatformKeys,
  type LoadedPlatformKey,
  type PlatformKeyPurpose,
  type PlatformKeys,
  platformKeysColumn,
} from './platform-keys.ts';
export {
  constantTimeEqual,
  ed25519PublicKey,
  generateSigningJwk,
  hmacSha256,
  hmacSha256With,
  type JwkSigningAlg,
  jwkFingerprint,
  type KeyObject,
  randomBytesOf,
  sha256,
  sha256Hasher,
  signEd25519,
  verifyEd25519,
} from './primitives.ts';
export { ciphertextCounts, type EncryptedColumn, resumeReencryption } from './rotation.ts';
export {
  createSamlKeyPair,
  pairwiseIdentifier,
  readCertificate,
  type SamlKeyPair,
} from './saml-cert.ts';
export { signStatement, verifyStatement } from './statement-signature.ts';
export { createSelfSignedCertificate, type SelfSignedCertificate } from './tls-cert.ts';
export {
  createSplitToken,
  parseSplitToken,
  randomToken,
  readPrefixedToken,
  readSplitToken,
  type SplitToken,
  splitTokenMatches,
  useWorthRecording,
} from './tokens.ts';
export {
  newWebhookSecret,
  verifyWebhook,
  type WebhookHeaders,
  webhookHeaders,
  webhookSecretKey,
  webhookSecretPrefix,
  webhookSignature,
} from './webhook-signature.ts';
