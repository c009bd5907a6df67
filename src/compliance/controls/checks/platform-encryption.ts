import { isIP } from 'node:net';
import { certificatesInPem } from '../../../crypto/index.ts';
import { databaseWithoutTls } from '../../../platform/index.ts';
import type { CheckContext, CheckOutcome, ControlException } from '../control.ts';
import { verdict } from '../control.ts';
import * as store from './operations.store.ts';

const dayMs = 86_400_000;
/** A certificate is renewed at least two weeks before it expires. */
export const certificateMinDays = 14;

/**
 * The master key is configured (not generated into the data directory), every data key is
 * wrapped by it, and every encrypted value names a data key the keyring holds.
 */
export async function checkEncryptionAtRest({ tx, sources }: CheckContext): Promise<CheckOutcome> {
  const { config } = sources;
  const exceptions: ControlException[] = [];
  // Only outside production may a master key be generated (config/load.ts refuses it there).
  if (!config.VIGIL_MASTER_KEY && !config.VIGIL_MASTER_KEY_FILE)
    exceptions.push({
      message: `the master key is a development key generated into ${config.VIGIL_DATA_DIR} (set VIGIL_MASTER_KEY or VIGIL_MASTER_KEY_FILE)`,
    });
  const keys = await store.dataKeys(tx);
  if (!keys.some((k) => k.status === 'active'))
    exceptions.push({ message: 'the keyring has no active data key' });
  for (const key of keys)
    if (key.master_key_id !== sources.operations.masterKeyId)
      exceptions.push({
        message: `data key ${key.id} is wrapped by master key ${key.master_key_id}, not the current master key ${sources.operations.masterKeyId}`,
        subject: { type: 'data_key', id: String(key.id) },
      });
  const known = new Set(keys.map((k) => String(k.id)));
  for (const col of sources.operations.encryptedColumns)
    for (const { keyId, count } of await store.ciphertextsByKey(tx, col)) {
      if (known.has(keyId)) continue;
      const values = `${count} value${count === 1 ? '' : 's'} of ${col.table}.${col.column}`;
      exceptions.push({
        message: /^[1-9]\d*$/.test(keyId)
          ? `${values} are under data key ${keyId}, which the keyring does not hold`
          : `${values} are not keyring ciphertexts`,
        subject: { type: 'column', id: `${col.table}.${col.column}` },
      });
    }
  return verdict(exceptions, {
    pass: `${keys.length} data key${keys.length === 1 ? '' : 's'} wrapped by the configured master key ${sources.operations.masterKeyId}, every secret under one of them`,
    fail: (n) => `${n} problem${n === 1 ? '' : 's'} with encryption at rest`,
  });
}

const loopback = (address: string) =>
  address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));

/**
 * Why the connection to PostgreSQL could carry data in clear, or null: it is encrypted (seen
 * live, or its URL's `sslmode` insists on TLS), or the server is this machine.
 */
export function databaseConnectionProblem(
  facts: { address: string | null; ssl: boolean | null },
  databaseUrl: string | undefined,
): string | null {
  if (facts.ssl === true) return null;
  // No server address: a Unix socket, on this machine.
  if (facts.address === null || loopback(facts.address)) return null;
  if (facts.ssl === null && databaseUrl && databaseWithoutTls(databaseUrl) === undefined)
    return null;
  return `the database connection to ${facts.address} is not encrypted`;
}

/** HTTPS, the TLS floor, the served certificate's expiry, and the database connection. */
export async function checkEncryptionInTransit({
  tx,
  now,
  sources,
}: CheckContext): Promise<CheckOutcome> {
  const { config } = sources;
  const exceptions: ControlException[] = [];
  if (!config.VIGIL_PUBLIC_URL.startsWith('https://'))
    exceptions.push({ message: `VIGIL_PUBLIC_URL ${config.VIGIL_PUBLIC_URL} is not HTTPS` });
  if (!['TLSv1.2', 'TLSv1.3'].includes(config.VIGIL_TLS_MIN_VERSION))
    exceptions.push({
      message: `VIGIL_TLS_MIN_VERSION is ${config.VIGIL_TLS_MIN_VERSION}, below TLSv1.2`,
    });
  // Behind a TLS proxy the proxy serves the certificate: not ours to read.
  if (!config.VIGIL_BEHIND_TLS_PROXY) {
    const served = await sources.operations.servedCertificates();
    if (served.length === 0)
      exceptions.push({ message: 'no served TLS certificate could be read to check its expiry' });
    for (const { name, pem } of served) {
      const certificates = certificatesInPem(pem);
      if (certificates.length === 0)
        exceptions.push({ message: `no certificate could be read in ${name}` });
      for (const cert of certificates) {
        if (cert.notAfter.getTime() - now.getTime() >= certificateMinDays * dayMs) continue;
        exceptions.push({
          message:
            cert.notAfter <= now
              ? `certificate ${cert.subject} (${name}) expired ${cert.notAfter.toISOString()}`
              : `certificate ${cert.subject} (${name}) expires ${cert.notAfter.toISOString()}, within ${certificateMinDays} days`,
          subject: { type: 'certificate', id: cert.fingerprint256 },
        });
      }
    }
  }
  // PGlite runs inside this process: there is no connection to encrypt.
  if (sources.databaseKind === 'postgres') {
    const problem = databaseConnectionProblem(await store.connectionFacts(tx), config.DATABASE_URL);
    if (problem) exceptions.push({ message: problem });
  }
  return verdict(exceptions, {
    pass: `HTTPS at ${config.VIGIL_PUBLIC_URL}, ${config.VIGIL_BEHIND_TLS_PROXY ? 'TLS ended by a proxy' : `${config.VIGIL_TLS_MIN_VERSION} or later, certificate valid ${certificateMinDays}+ days`}, database connection ${sources.databaseKind === 'pglite' ? 'embedded' : 'encrypted or local'}`,
    fail: (n) => `${n} problem${n === 1 ? '' : 's'} with encryption in transit`,
  });
}
