import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '../crypto/index.ts';
import type { TlsMaterial } from '../http/index.ts';
import { type Config, type Logger, platformErrors } from '../platform/index.ts';

function readPem(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw platformErrors.configInvalid({
      key,
      problem: `cannot read ${path}: ${(err as Error).message}`,
    });
  }
}

/**
 * The server's certificate: the configured files, or (development) a self-signed certificate
 * generated once into the data dir. None when a TLS-terminating proxy fronts Vigil.
 */
export async function loadTlsMaterial(
  config: Config,
  logger: Logger,
): Promise<TlsMaterial | undefined> {
  if (config.VIGIL_BEHIND_TLS_PROXY) return undefined;
  if (config.VIGIL_TLS_CERT && config.VIGIL_TLS_KEY) {
    return {
      cert: readPem(config.VIGIL_TLS_CERT, 'VIGIL_TLS_CERT'),
      key: readPem(config.VIGIL_TLS_KEY, 'VIGIL_TLS_KEY'),
    };
  }
  const dir = join(config.VIGIL_DATA_DIR, 'tls');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    const host = new URL(config.VIGIL_PUBLIC_URL).hostname.replace(/^\[|\]$/g, '');
    const names = [...new Set([host, 'localhost', '127.0.0.1', '::1'])];
    const generated = await createSelfSignedCertificate(names);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(keyPath, generated.keyPem, { mode: 0o600 });
    writeFileSync(certPath, generated.certPem, { mode: 0o644 });
    logger.warn({ certPath, names }, 'generated a self-signed TLS certificate (development only)');
  }
  return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
}
