/**
 * The installation's files of a pack, read in platform scope: its keys (never private material),
 * their rotations, the TLS and encryption settings, and the row-level security that isolates
 * tenants. The facts the live checks read, as of the export.
 */
import { ed25519PublicKey, jwkFingerprint, publicKeyFingerprint } from '../../crypto/index.ts';
import { type Config, platformOrgId, type Tx } from '../../platform/index.ts';
import * as checks from '../controls/checks/operations.store.ts';
import { appRoles } from '../controls/checks/operations-audit.ts';
import { json, type Period } from './org-files.ts';
import { keyEvents, keyRows } from './platform-files.store.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function ed25519Fingerprint(publicKey: string): string | null {
  try {
    return publicKeyFingerprint(ed25519PublicKey(publicKey));
  } catch {
    return null;
  }
}

/** keys/inventory.json: platform keys, data keys and token signing keys, public parts only. */
export async function keyInventory(tx: Tx, now: Date) {
  const { platform, data, signing } = await keyRows(tx);
  return json({
    asOf: now.toISOString(),
    keys: [
      ...platform.map((k) => ({
        id: k.id,
        kind: `platform:${k.purpose}`,
        algorithm: k.algorithm,
        created: iso(k.created_at),
        activated: iso(k.activated_at),
        retired: iso(k.retired_at),
        status: k.status,
        // Symmetric keys (the audit MAC key) have no public part to fingerprint.
        publicFingerprint: k.public_key ? ed25519Fingerprint(k.public_key) : null,
      })),
      ...data.map((k) => ({
        id: String(k.id),
        kind: 'data-key',
        algorithm: 'AES-256-GCM',
        created: iso(k.created_at),
        activated: iso(k.activated_at),
        retired: iso(k.retired_at),
        status: k.status,
        publicFingerprint: null,
        wrappedBy: k.master_key_id,
      })),
      ...signing.map((k) => ({
        id: k.kid,
        kind: 'oidc-signing',
        algorithm: k.alg,
        created: iso(k.created_at),
        activated: iso(k.activate_at),
        retired: iso(k.retire_at),
        status:
          k.activate_at > now
            ? 'published'
            : k.retire_at && k.retire_at <= now
              ? 'retired'
              : 'active',
        publicFingerprint: jwkFingerprint(k.public_jwk as object),
      })),
    ],
  });
}

/** keys/rotations.json: the key creations and rotations recorded in the period. */
export async function keyRotations(tx: Tx, orgId: string, period: Period) {
  const rows = await keyEvents(tx, platformOrgId, orgId, period);
  return json({
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    rotations: rows.map((r) => ({
      eventId: r.id,
      at: new Date(r.occurred_at).toISOString(),
      action: r.action,
      actor: { type: r.actor_type, id: r.actor_id },
      target: r.target_id,
      details: JSON.parse(r.details),
    })),
  });
}

/** What the platform files read of the configuration. */
export type PlatformConfig = Pick<
  Config,
  | 'VIGIL_PUBLIC_URL'
  | 'VIGIL_TLS_CERT'
  | 'VIGIL_TLS_MIN_VERSION'
  | 'VIGIL_BEHIND_TLS_PROXY'
  | 'VIGIL_HSTS_MAX_AGE'
  | 'VIGIL_MASTER_KEY_FILE'
>;

/** platform/tls.json: how connections are protected (configuration, no secrets). */
export function tlsFile(config: PlatformConfig, now: Date) {
  const url = new URL(config.VIGIL_PUBLIC_URL);
  return json({
    asOf: now.toISOString(),
    publicUrl: url.origin,
    httpsPublicUrl: url.protocol === 'https:',
    termination: config.VIGIL_TLS_CERT ? 'vigil' : config.VIGIL_BEHIND_TLS_PROXY ? 'proxy' : 'none',
    certificateFile: config.VIGIL_TLS_CERT ?? null,
    minVersion: config.VIGIL_TLS_MIN_VERSION,
    hstsMaxAgeSeconds: config.VIGIL_HSTS_MAX_AGE,
  });
}

/** platform/encryption.json: what is encrypted at rest, under which keys. */
export async function encryptionFile(
  tx: Tx,
  config: PlatformConfig,
  columns: readonly { table: string; column: string }[],
  databaseKind: string,
  now: Date,
) {
  const keys = await checks.dataKeys(tx);
  const active = keys.find((k) => k.status === 'active');
  return json({
    asOf: now.toISOString(),
    algorithm: 'AES-256-GCM (envelope: data keys wrapped by the master key)',
    masterKey: {
      source: config.VIGIL_MASTER_KEY_FILE ? 'file' : 'environment',
      id: active?.master_key_id ?? null,
    },
    activeDataKey: active ? { id: String(active.id), activated: iso(active.activated_at) } : null,
    dataKeys: keys.length,
    encryptedColumns: columns.map((c) => `${c.table}.${c.column}`),
    passwords: 'hashed (never encrypted or stored in clear)',
    database: databaseKind,
  });
}

/**
 * platform/tenant-isolation.json: what the tenant-isolation check reads — every table with an
 * org_id column and its row-level security, and the application roles' attributes.
 */
export async function tenantIsolationFile(tx: Tx, now: Date) {
  const tables = await checks.tablesWithOrgId(tx);
  const roles = await checks.appRoles(tx, appRoles);
  return json({
    asOf: now.toISOString(),
    mechanism:
      'PostgreSQL row-level security: each transaction sets vigil.org_id; tenant tables show and accept only that organization’s rows',
    tables: tables.map((t) => ({
      table: t.table,
      partition: t.partition,
      openToApplicationRoles: t.app_access,
      rowLevelSecurity: t.enabled,
      forced: t.forced,
    })),
    applicationRoles: roles.map((r) => ({
      role: r.name,
      superuser: r.superuser,
      bypassesRowLevelSecurity: r.bypassrls,
    })),
  });
}
