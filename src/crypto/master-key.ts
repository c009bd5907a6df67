import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, type Config } from '../platform/index.ts';
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
    throw new AppError(
      'invalid',
      'config.invalid',
      `Configuration ${source}: the master key must be 32 bytes, base64-encoded (got ${key.length} bytes)`,
      { expose: true, details: { key: source } },
    );
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
    throw new AppError(
      'invalid',
      'config.invalid',
      'Configuration VIGIL_MASTER_KEY: required in production',
      { expose: true },
    );
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
      throw new AppError(
        'invalid',
        'config.invalid',
        `Master key file ${path} is readable by group or others (mode ${mode.toString(8)}); chmod 600 it`,
        { expose: true },
      );
    }
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(
      'invalid',
      'config.invalid',
      `Cannot read master key file ${path}: ${(err as Error).message}`,
      { expose: true },
    );
  }
}
