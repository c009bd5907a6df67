import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, type Config, platformErrors } from '../platform/index.ts';
import { hmacSha256, randomBytesOf } from './primitives.ts';

/** A master key wraps data keys; its id is a fingerprint so a wrapped key names which one it needs. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

export const masterKeyFileName = 'master.key';

export function masterKeyFromBase64(value: string, source: string): MasterKey {
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length !== 32) {
    throw platformErrors.configInvalid({
      key: source,
      problem: `the master key must be 32 bytes, base64-encoded (got ${key.length} bytes)`,
      details: { key: source },
    });
  }
  return { id: hmacSha256(key, 'vigil master key id').subarray(0, 8).toString('hex'), key };
}

export function generateMasterKeyBase64(): string {
  return randomBytesOf(32).toString('base64');
}

export interface MasterKeys {
  current: MasterKey;
  /** Earlier master keys still accepted for unwrapping during a rotation rollout. */
  previous: MasterKey[];
  /** True when the key was generated into the data dir (development only). */
  generated: boolean;
}

/**
 * Loads the master key from VIGIL_MASTER_KEY or VIGIL_MASTER_KEY_FILE. Without either, in
 * development, generates one into the data dir with mode 0600 (config/load.ts has already refused
 * this in production and warned about it otherwise).
 */
export function loadMasterKeys(config: Config): MasterKeys {
  const previous = config.VIGIL_MASTER_KEY_PREVIOUS.map((v) =>
    masterKeyFromBase64(v, 'VIGIL_MASTER_KEY_PREVIOUS'),
  );
  if (config.VIGIL_MASTER_KEY) {
    return {
      current: masterKeyFromBase64(config.VIGIL_MASTER_KEY, 'VIGIL_MASTER_KEY'),
      previous,
      generated: false,
    };
  }
  if (config.VIGIL_MASTER_KEY_FILE) {
    return {
      current: masterKeyFromBase64(
        readKeyFile(config.VIGIL_MASTER_KEY_FILE),
        'VIGIL_MASTER_KEY_FILE',
      ),
      previous,
      generated: false,
    };
  }
  if (config.VIGIL_ENV === 'production') {
    throw platformErrors.configInvalid({
      key: 'VIGIL_MASTER_KEY',
      problem: 'required in production',
    });
  }
  const path = join(config.VIGIL_DATA_DIR, masterKeyFileName);
  if (!existsSync(path)) {
    mkdirSync(config.VIGIL_DATA_DIR, { recursive: true, mode: 0o700 });
    writeFileSync(path, `${generateMasterKeyBase64()}\n`, { mode: 0o600, flag: 'wx' });
  }
  return { current: masterKeyFromBase64(readKeyFile(path), path), previous, generated: true };
}

function readKeyFile(path: string): string {
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw platformErrors.configInvalid({
        key: 'VIGIL_MASTER_KEY',
        problem: `the key file ${path} is readable by group or others (mode ${mode.toString(8)}); chmod 600 it`,
      });
    }
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw platformErrors.configInvalid({
      key: 'VIGIL_MASTER_KEY',
      problem: `cannot read the key file ${path}: ${(err as Error).message}`,
    });
  }
}
