/** `vigil reviews verify FILE`: checks an access review's evidence bundle offline, no database. */

import { readFileSync } from 'node:fs';
import { verifyEvidence } from '../../compliance/index.ts';
import { ed25519PublicKeyFrom, type KeyObject } from '../../crypto/index.ts';
import { type Command, onlyOptions, positional, print, text, UsageError } from './kit.ts';

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
