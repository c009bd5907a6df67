/**
 * Evidence packs made in tests, independently of the pack builder: a real audit sample with its
 * seal-block proofs read from the database, a few files, and a manifest signed with a key the
 * test holds, so the verifier's every check can be driven (a file changed, removed or added, the
 * manifest re-signed by the same key over inconsistent contents, or by another key).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import type { Core } from '../../src/app/core.ts';
import { blocksCovering, macsOf, monthEvents } from '../../src/audit/archive.store.ts';
import { archivedBlock, archivedEvent, eventLine } from '../../src/audit/archive-format.ts';
import { type PackManifest, packFormat } from '../../src/compliance/evidence/format.ts';
import { packFiles } from '../../src/compliance/evidence/layout.ts';
import {
  canonicalJson,
  ed25519PublicJwk,
  publicKeyFingerprint,
  sha256,
  signEd25519,
} from '../../src/crypto/index.ts';
import { withPlatform } from '../../src/platform/index.ts';

export interface SigningKey {
  id: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
}

export function freshSigningKey(id = 'test-seal-key'): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { id, privateKey, publicKey, fingerprint: publicKeyFingerprint(publicKey) };
}

/** The audit sample and its proofs, as the pack carries them: every event of `orgId` in the period. */
export async function auditSampleOf(
  core: Pick<Core, 'database' | 'keys'>,
  orgId: string,
  period: { from: Date; to: Date },
): Promise<{ sample: string; proofs: string; eventIds: string[] }> {
  return withPlatform(core.database, async (tx) => {
    const events = (await monthEvents(tx, period.from, period.to)).filter(
      (e) => e.org_id === orgId,
    );
    const first = events[0];
    const last = events[events.length - 1];
    if (!first || !last) throw new Error('auditSampleOf: the organization has no events');
    const sampled = new Set(events.map((e) => e.id));
    const blocks = (await blocksCovering(tx, first, last)).filter((b) =>
      b.event_ids.some((id) => sampled.has(id)),
    );
    const others = blocks.flatMap((b) => b.event_ids).filter((id) => !sampled.has(id));
    const macs = await macsOf(tx, others);
    const keys = [];
    for (const keyId of new Set(blocks.map((b) => b.key_id))) {
      const key = await core.keys.byId(keyId);
      if (!key.publicKey) throw new Error(`seal key ${keyId} has no public key`);
      keys.push({
        id: key.id,
        fingerprint: publicKeyFingerprint(key.publicKey),
        publicKeyJwk: ed25519PublicJwk(key.publicKey),
      });
    }
    const proofs = {
      blocks: blocks.map(archivedBlock),
      otherMacs: [...macs].map(([id, mac]) => ({ id, mac: Buffer.from(mac).toString('hex') })),
      keys,
    };
    return {
      sample: events.map((e) => `${eventLine(archivedEvent(e))}\n`).join(''),
      proofs: `${JSON.stringify(proofs, null, 2)}\n`,
      eventIds: events.map((e) => e.id),
    };
  });
}

export interface PackAbout {
  org: { id: string; slug: string; name: string };
  period: { from: Date; to: Date };
}

/** The standalone verifier as the pack carries it. */
export const verifierText = readFileSync(
  new URL('../../src/compliance/evidence/verify-pack.mjs', import.meta.url),
);

/** A small pack's files (without manifest.json): the verifier, the sample, a few artifacts. */
export function packContents(audit: { sample: string; proofs: string }): Map<string, Buffer> {
  const text = (s: string) => Buffer.from(s, 'utf8');
  return new Map([
    [packFiles.readme, text('Vigil evidence pack. Verify: node verify.mjs\n')],
    [packFiles.verifier, verifierText],
    [packFiles.userAccess, text('email,status,roles\nana@acme.test,active,admin\n')],
    [packFiles.mfaSummary, text('{"enrolled":1,"users":1}\n')],
    [packFiles.auditSample, text(audit.sample)],
    [packFiles.auditSampleProofs, text(audit.proofs)],
  ]);
}

/** The manifest of `files` (every one but manifest.json), signed by `key`: a complete pack. */
export function signPack(
  files: Map<string, Buffer>,
  about: PackAbout,
  key: SigningKey,
): Map<string, Buffer> {
  const listed = [...files].filter(([name]) => name !== packFiles.manifest);
  const manifest: PackManifest = {
    format: packFormat,
    org: about.org,
    period: { from: about.period.from.toISOString(), to: about.period.to.toISOString() },
    createdAt: about.period.to.toISOString(),
    createdBy: { type: 'operator', id: null },
    files: listed.map(([name, bytes]) => ({
      name,
      size: bytes.length,
      sha256: sha256(bytes).toString('hex'),
    })),
    controls: [
      {
        id: 'mfa-enforcement',
        title: 'MFA is enforced',
        criteria: ['CC6.1'],
        scope: 'org',
        status: 'pass',
        artifacts: [packFiles.mfaSummary],
      },
      {
        id: 'access-reviewed',
        title: 'User access is known',
        criteria: ['CC6.2'],
        scope: 'org',
        status: null,
        artifacts: [packFiles.userAccess],
      },
    ],
    key: {
      id: key.id,
      algorithm: 'Ed25519',
      fingerprint: key.fingerprint,
      publicKeyJwk: ed25519PublicJwk(key.publicKey),
    },
  };
  const signature = signEd25519(key.privateKey, Buffer.from(canonicalJson(manifest)));
  const signed = { manifest, signature: signature.toString('base64url') };
  return new Map([
    ...listed,
    [packFiles.manifest, Buffer.from(`${JSON.stringify(signed, null, 2)}\n`, 'utf8')],
  ]);
}

/** The pack with one file's content replaced (the manifest left as it was). */
export function withFile(files: Map<string, Buffer>, name: string, content: Buffer | string) {
  return new Map([...files, [name, Buffer.from(content)]]);
}

/** The pack as a ZIP file at `path`, entries in the map's order. */
export async function writeZip(files: Map<string, Buffer>, path: string): Promise<void> {
  const zip = new ZipFile();
  for (const [name, bytes] of files) zip.addBuffer(bytes, name);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}
