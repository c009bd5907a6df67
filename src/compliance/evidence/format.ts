/**
 * The signed manifest of an evidence pack (docs/compliance.md#evidence-packs). `manifest.json`
 * holds `{ manifest, signature }`: the signature is Ed25519, by the platform's audit seal key,
 * over `canonicalJson(manifest)`; the manifest carries the public key and its fingerprint (the
 * SHA-256 of its SubjectPublicKeyInfo), so the pack verifies offline, and the auditor compares
 * the fingerprint with the one the platform publishes (`vigil keys list`).
 */
import type { PublicJwk } from '../../crypto/index.ts';
import type { ControlStatus } from '../../platform/index.ts';
import type { Criterion } from '../controls/criteria.ts';

export const packFormat = 'vigil.evidence-pack.v1';

export interface PackFileEntry {
  /** The path inside the ZIP (`access/user-access.csv`). */
  name: string;
  size: number;
  /** hex */
  sha256: string;
}

export interface PackControl {
  id: string;
  title: string;
  criteria: Criterion[];
  scope: 'org' | 'platform';
  /** The control's result at the period's end (null: it was never checked before then). */
  status: ControlStatus | null;
  /** The files of the pack that prove it. */
  artifacts: string[];
}

export interface PackManifest {
  format: typeof packFormat;
  org: { id: string; slug: string; name: string };
  /** ISO 8601 instants; `to` is exclusive. */
  period: { from: string; to: string };
  createdAt: string;
  createdBy: { type: string; id: string | null };
  /** Every file of the pack except manifest.json, in the ZIP's order. */
  files: PackFileEntry[];
  controls: PackControl[];
  key: { id: string; algorithm: 'Ed25519'; fingerprint: string; publicKeyJwk: PublicJwk };
}

export interface SignedPackManifest {
  manifest: PackManifest;
  /** base64url Ed25519 signature over `canonicalJson(manifest)`. */
  signature: string;
}
