import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NamedCertificate } from '../alerts/index.ts';
import type { Config } from '../platform/index.ts';

/**
 * The certificates the expiry check watches (docs/alerts.md#rules): the server's TLS
 * certificate, the configured file or the generated development one, read afresh each time so
 * that a renewed file counts at once. None behind a TLS-terminating proxy (the proxy's is not
 * ours to read) or before the development certificate exists.
 */
export function alertCertificates(config: Config): () => Promise<NamedCertificate[]> {
  return async () => {
    if (config.VIGIL_BEHIND_TLS_PROXY) return [];
    const path = config.VIGIL_TLS_CERT ?? join(config.VIGIL_DATA_DIR, 'tls', 'cert.pem');
    try {
      return [{ name: `tls (${path})`, pem: await readFile(path) }];
    } catch {
      return [];
    }
  };
}
