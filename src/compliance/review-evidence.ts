/**
 * A signed evidence bundle: files, a manifest naming each file's size and SHA-256, and an Ed25519
 * signature over the canonical manifest by the platform's `audit-seal` key. The manifest carries
 * the public key (JWK) and its fingerprint, so the bundle verifies offline, with no database: the
 * auditor compares the fingerprint with the seal key the platform publishes.
 */
import {
  canonicalJson,
  ed25519PublicJwk,
  ed25519PublicKeyFrom,
  type KeyObject,
  type LoadedPlatformKey,
  type PublicJwk,
  publicKeyFingerprint,
  sha256,
  signEd25519,
  verifyEd25519,
} from '../crypto/index.ts';

export const evidenceFormat = 'vigil.review-evidence.v1';

export interface EvidenceFile {
  name: string;
  /** The file's text; its SHA-256 and size are over its UTF-8 bytes. */
  content: string;
}

export interface EvidenceManifest {
  format: typeof evidenceFormat;
  campaignId: string;
  orgId: string;
  closedAt: string;
  exportedAt: string;
  files: { name: string; size: number; sha256: string }[];
  key: { id: string; algorithm: 'Ed25519'; fingerprint: string; publicKeyJwk: PublicJwk };
}

export interface EvidenceBundle {
  manifest: EvidenceManifest;
  /** base64url Ed25519 signature over `canonicalJson(manifest)`. */
  signature: string;
  files: EvidenceFile[];
}

/** SHA-256 of the key's SubjectPublicKeyInfo (DER), hex: the fingerprint an auditor compares. */
export const keyFingerprint = publicKeyFingerprint;

/** The bundle's one serialization: verify refuses any other bytes, so no byte can change. */
export function serializeBundle(bundle: EvidenceBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

export function sealEvidence(
  key: LoadedPlatformKey,
  about: { campaignId: string; orgId: string; closedAt: Date; exportedAt: Date },
  files: EvidenceFile[],
): EvidenceBundle {
  if (!key.privateKey || !key.publicKey || key.algorithm !== 'Ed25519')
    throw new Error(`platform key ${key.id} cannot sign evidence (an Ed25519 seal key is needed)`);
  const manifest: EvidenceManifest = {
    format: evidenceFormat,
    campaignId: about.campaignId,
    orgId: about.orgId,
    closedAt: about.closedAt.toISOString(),
    exportedAt: about.exportedAt.toISOString(),
    files: files.map((f) => {
      const bytes = Buffer.from(f.content, 'utf8');
      return { name: f.name, size: bytes.length, sha256: sha256(bytes).toString('hex') };
    }),
    key: {
      id: key.id,
      algorithm: 'Ed25519',
      fingerprint: keyFingerprint(key.publicKey),
      publicKeyJwk: ed25519PublicJwk(key.publicKey),
    },
  };
  const signature = signEd25519(key.privateKey, Buffer.from(canonicalJson(manifest)));
  return { manifest, signature: signature.toString('base64url'), files };
}

export interface EvidenceVerification {
  ok: boolean;
  /** What failed, one line each, naming the file, the manifest or the signature. */
  failures: string[];
  campaignId?: string;
  orgId?: string;
  closedAt?: string;
  keyId?: string;
  fingerprint?: string;
  files: { name: string; size: number; sha256: string }[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The manifest's public key, or why it cannot be one. */
function manifestKey(manifest: Record<string, unknown>): KeyObject | string {
  const key = manifest.key;
  if (!isRecord(key) || !isRecord(key.publicKeyJwk)) return 'the manifest names no public key';
  try {
    return ed25519PublicKeyFrom(key.publicKeyJwk);
  } catch {
    return 'the manifest public key is not a valid Ed25519 JWK';
  }
}

/**
 * Checks a bundle's text offline: its serialization, every file's size and SHA-256 against the
 * manifest, that the manifest lists every file and no other, its fingerprint, and the signature.
 * `expectedKey`, when given (the platform's published seal key), must be the key that signed.
 */
export function verifyEvidence(text: string, expectedKey?: KeyObject): EvidenceVerification {
  const result: EvidenceVerification = { ok: false, failures: [], files: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    result.failures.push('the bundle is not JSON');
    return result;
  }
  if (!isRecord(parsed) || !isRecord(parsed.manifest) || !Array.isArray(parsed.files)) {
    result.failures.push('the bundle has no manifest and files');
    return result;
  }
  const manifest = parsed.manifest;
  const listed = Array.isArray(manifest.files) ? manifest.files.filter(isRecord) : [];
  result.campaignId = String(manifest.campaignId ?? '');
  result.orgId = String(manifest.orgId ?? '');
  result.closedAt = String(manifest.closedAt ?? '');
  if (manifest.format !== evidenceFormat)
    result.failures.push(`manifest: format is not ${evidenceFormat}`);

  const files = parsed.files.filter(isRecord);
  for (const file of files) {
    const name = String(file.name);
    const bytes = Buffer.from(typeof file.content === 'string' ? file.content : '', 'utf8');
    const digest = sha256(bytes).toString('hex');
    result.files.push({ name, size: bytes.length, sha256: digest });
    const entry = listed.find((l) => l.name === name);
    if (!entry) result.failures.push(`${name}: not listed in the manifest`);
    else if (entry.sha256 !== digest || entry.size !== bytes.length)
      result.failures.push(`${name}: SHA-256 or size differs from the manifest`);
  }
  if (
    new Set(result.files.map((f) => f.name)).size !== files.length ||
    files.length !== parsed.files.length
  )
    result.failures.push('bundle: a file appears twice or is not an object');
  for (const entry of listed)
    if (!files.some((f) => f.name === entry.name))
      result.failures.push(`${String(entry.name)}: in the manifest but missing from the bundle`);

  const key = manifestKey(manifest);
  if (typeof key === 'string') result.failures.push(key);
  else {
    const named = isRecord(manifest.key) ? manifest.key : {};
    result.keyId = String(named.id ?? '');
    result.fingerprint = keyFingerprint(key);
    if (named.fingerprint !== result.fingerprint)
      result.failures.push('manifest: the key fingerprint does not match its public key');
    const signature = Buffer.from(String(parsed.signature ?? ''), 'base64url');
    // Base64 decoding is lenient (spare bits, stray characters): only the exact encoding counts.
    if (signature.toString('base64url') !== parsed.signature || signature.length !== 64)
      result.failures.push('signature: not a 64-byte Ed25519 signature in base64url');
    else if (!verifyEd25519(key, Buffer.from(canonicalJson(manifest)), signature))
      result.failures.push('signature: does not verify over the manifest');
    if (expectedKey && keyFingerprint(expectedKey) !== result.fingerprint)
      result.failures.push(
        `key: signed by ${result.fingerprint}, not by the expected key ${keyFingerprint(expectedKey)}`,
      );
  }
  if (result.failures.length === 0 && serializeBundle(parsed as unknown as EvidenceBundle) !== text)
    result.failures.push('bundle: bytes outside the manifest, files and signature were changed');
  result.ok = result.failures.length === 0;
  return result;
}
