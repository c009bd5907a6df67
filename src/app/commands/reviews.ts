/**
 * An access review's evidence (docs/reviews.md#evidence-export): `vigil reviews export` writes a
 * closed campaign's signed bundle; `vigil reviews verify FILE` checks one offline, no database.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createReviewEvidence, verifyEvidence } from '../../compliance/index.ts';
import { ed25519PublicKeyFrom, type KeyObject, publicKeyFingerprint } from '../../crypto/index.ts';
import { withOrg } from '../../platform/index.ts';
import { createServices } from '../services.ts';
import {
  type Command,
  findOrg,
  onlyOptions,
  positional,
  print,
  required,
  text,
  UsageError,
  withCore,
} from './kit.ts';

function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} ${path}`);
  }
}

/** The platform's published seal key, as a PEM (SPKI) or a JWK file. */
function expectedKey(path: string): KeyObject {
  const body = readFile(path, '--public-key');
  try {
    return ed25519PublicKeyFrom(body);
  } catch {
    throw new UsageError(`--public-key ${path} is not an Ed25519 public key (PEM or JWK)`);
  }
}

export const reviewCommands: Record<string, Command> = {
  /** The platform's seal public keys, to hand an auditor for `reviews verify --public-key`. */
  async 'reviews seal-keys'(ctx) {
    onlyOptions(ctx, 'reviews seal-keys', []);
    positional(ctx, 'reviews seal-keys', []);
    return withCore(ctx, async (core) => {
      const keys = (await core.keys.list())
        .filter((k) => k.purpose === 'audit-seal' && k.public_key)
        .map((k) => {
          const pem = String(k.public_key);
          const fingerprint = publicKeyFingerprint(ed25519PublicKeyFrom(pem));
          return { id: k.id, status: k.status, fingerprint, publicKeyPem: pem };
        });
      print(
        ctx,
        keys
          .map(
            (k) =>
              `key ${k.id} (${k.status}) SHA-256 fingerprint ${k.fingerprint}\n${k.publicKeyPem.trimEnd()}`,
          )
          .join('\n\n'),
        keys,
      );
      return 0;
    });
  },
  async 'reviews export'(ctx) {
    onlyOptions(ctx, 'reviews export', ['org', 'out']);
    const [campaignId = ''] = positional(ctx, 'reviews export', ['campaign-id']);
    const slug = required(ctx, 'reviews export', 'org', 'SLUG');
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = findOrg(await services.tenancy.organizations(), slug);
      const evidence = createReviewEvidence({
        reviews: services.reviews,
        keys: core.keys,
        clock: core.clock,
      });
      const { fileName, text: bundle } = await withOrg(core.database, org.id, (tx) =>
        evidence.export(tx, org.id, campaignId),
      );
      const out = text(ctx, 'out');
      if (!out) ctx.stdout.write(bundle);
      else {
        writeFileSync(out, bundle, { mode: 0o600 });
        print(ctx, `wrote ${fileName} to ${out}`, { fileName, out });
      }
      return 0;
    });
  },
  async 'reviews verify'(ctx) {
    onlyOptions(ctx, 'reviews verify', ['public-key']);
    const [file = ''] = positional(ctx, 'reviews verify', ['file']);
    const keyPath = text(ctx, 'public-key');
    const report = verifyEvidence(
      readFile(file, 'evidence bundle'),
      keyPath ? expectedKey(keyPath) : undefined,
    );
    const lines = [
      `campaign ${report.campaignId ?? '-'} of organization ${report.orgId ?? '-'}, closed ${report.closedAt ?? '-'}`,
      `signed by key ${report.keyId ?? '-'} (SHA-256 fingerprint ${report.fingerprint ?? '-'})`,
      ...report.files.map((f) => `  ${f.name}  ${f.size} bytes  sha256 ${f.sha256}`),
      ...(report.ok
        ? [
            keyPath
              ? 'verified: every file, the signature, and the key is the expected one'
              : 'verified: every file and the signature; compare the fingerprint with the platform seal key',
          ]
        : report.failures.map((f) => `FAILED ${f}`)),
    ];
    print(ctx, lines.join('\n'), report);
    return report.ok ? 0 : 1;
  },
};
