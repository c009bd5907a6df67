import { readFileSync } from 'node:fs';
import { type AppError, platformErrors } from '../errors.ts';
import { type Config, configSchema } from './schema.ts';

export interface LoadedConfig {
  config: Config;
  /** Unsafe development settings, to be logged loudly at start. */
  warnings: string[];
}

const keys = Object.keys(configSchema.shape) as (keyof typeof configSchema.shape)[];

function configError(key: string, message: string): AppError {
  return platformErrors.configInvalid({ key, problem: message, details: { key } });
}

function readFileSettings(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw configError('VIGIL_CONFIG_FILE', `cannot read ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw configError('VIGIL_CONFIG_FILE', `${path} must hold a JSON object`);
  }
  for (const key of Object.keys(parsed)) {
    if (!(keys as string[]).includes(key)) throw configError(key, `unknown key in ${path}`);
  }
  return parsed as Record<string, unknown>;
}

/** Validates every setting at once and fails on the first bad key, naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const fromFile = env.VIGIL_CONFIG_FILE ? readFileSettings(env.VIGIL_CONFIG_FILE) : {};
  const input: Record<string, unknown> = { ...fromFile };
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw configError(String(issue?.path[0] ?? 'config'), issue?.message ?? 'invalid');
  }
  const parsed = result.data;
  const config: Config = {
    ...parsed,
    VIGIL_PUBLIC_URL: (parsed.VIGIL_PUBLIC_URL ?? `https://localhost:${parsed.VIGIL_PORT}`).replace(
      /\/$/,
      '',
    ),
  };
  return { config, warnings: checkSafety(config) };
}

/** `sslmode` values with which the driver never talks to the database without TLS. */
const tlsSslModes = ['require', 'verify-ca', 'verify-full'];

/**
 * Why the database connection could carry data in clear over a network, or undefined: a server
 * other than this machine (loopback, a Unix socket, no host) without an `sslmode` that insists
 * on TLS. The message names the host, never the credentials.
 */
export function databaseWithoutTls(databaseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return 'cannot be read as a URL to check its TLS (percent-encode the special characters)';
  }
  if (tlsSslModes.includes(url.searchParams.get('sslmode') ?? '')) return undefined;
  // `?host=` overrides the authority (libpq and pg alike); a path there is a Unix socket.
  const host = decodeURIComponent(url.searchParams.get('host') ?? url.hostname).replace(
    /^\[|\]$/g,
    '',
  );
  const local =
    host === '' ||
    host.startsWith('/') ||
    host === 'localhost' ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (local) return undefined;
  return `connects to ${host} without TLS: add ?sslmode=verify-full (or require, verify-ca)`;
}

/** Refuses unsafe combinations in production; returns warnings for development. */
function checkSafety(config: Config): string[] {
  const production = config.VIGIL_ENV === 'production';
  const warnings: string[] = [];
  const unsafe = (key: string, message: string) => {
    if (production) throw configError(key, `${message} (refused in production)`);
    warnings.push(`${key}: ${message}`);
  };
  if (config.VIGIL_MASTER_KEY && config.VIGIL_MASTER_KEY_FILE) {
    throw configError('VIGIL_MASTER_KEY', 'set either VIGIL_MASTER_KEY or VIGIL_MASTER_KEY_FILE');
  }
  if (Boolean(config.VIGIL_TLS_CERT) !== Boolean(config.VIGIL_TLS_KEY)) {
    throw configError('VIGIL_TLS_CERT', 'VIGIL_TLS_CERT and VIGIL_TLS_KEY go together');
  }
  if (config.VIGIL_BEHIND_TLS_PROXY) {
    if (config.VIGIL_TRUSTED_PROXIES.length === 0) {
      throw configError(
        'VIGIL_TRUSTED_PROXIES',
        'required when VIGIL_BEHIND_TLS_PROXY is set: name the proxies allowed to forward',
      );
    }
    if (!config.VIGIL_PUBLIC_URL.startsWith('https://')) {
      unsafe('VIGIL_PUBLIC_URL', 'must be https:// when a TLS proxy fronts Vigil');
    }
  }
  if (!config.VIGIL_MASTER_KEY && !config.VIGIL_MASTER_KEY_FILE) {
    unsafe(
      'VIGIL_MASTER_KEY',
      'not set: using a master key generated into the data dir; anyone who can read that dir can decrypt every secret',
    );
  }
  if (!config.VIGIL_TLS_CERT && !config.VIGIL_BEHIND_TLS_PROXY) {
    unsafe('VIGIL_TLS_CERT', 'not set: serving a generated self-signed certificate');
  }
  if (!config.VIGIL_SMTP_URL) {
    unsafe('VIGIL_SMTP_URL', 'not set: mail (reset links, lock notices) is written to the log');
  }
  if (!config.DATABASE_URL) {
    unsafe('DATABASE_URL', 'not set: using embedded PGlite storage (one node only)');
  } else {
    // The TLS floor applies to the database too: credentials, hashes and audit rows cross it.
    const withoutTls = databaseWithoutTls(config.DATABASE_URL);
    if (withoutTls) unsafe('DATABASE_URL', withoutTls);
  }
  return warnings;
}
