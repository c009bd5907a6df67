/**
 * The installation's files of a pack, read in platform scope: its keys (never private material),
 * their rotations, the TLS and encryption settings, and the row-level security that isolates
 * tenants. The facts the live checks read, as of the export.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { sql } from 'kysely';
import { ed25519PublicKey, publicKeyFingerprint } from '../../crypto/index.ts';
import { type Config, platformOrgId, type Tx } from '../../platform/index.ts';
import { json, type Period } from './org-files.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function fingerprintOf(publicKey: () => ReturnType<typeof createPublicKey>): string | null {
  try {
    return publicKeyFingerprint(publicKey());
  } catch {
    return null;
  }
}

/** keys/inventory.json: platform keys, data keys and token signing keys, public parts only. */
export async function keyInventory(tx: Tx, now: Date) {
  const [platform, data, signing] = await Promise.all([
    tx.selectFrom('platform_keys').selectAll().orderBy('created_at').execute(),
    tx.selectFrom('keyring_data_keys').selectAll().orderBy('id').execute(),
    tx.selectFrom('oidc_signing_keys').selectAll().orderBy('created_at').execute(),
  ]);
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
        publicFingerprint: k.public_key
          ? fingerprintOf(() => ed25519PublicKey(k.public_key as string))
          : null,
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
        publicFingerprint: fingerprintOf(() =>
          createPublicKey({ key: k.public_jwk as JsonWebKey, format: 'jwk' }),
        ),
      })),
    ],
  });
}

/** keys/rotations.json: the key creations and rotations recorded in the period. */
export async function keyRotations(tx: Tx, orgId: string, period: Period) {
  const { rows } = await sql<{
    id: string;
    occurred_at: Date;
    action: string;
    actor_type: string;
    actor_id: string | null;
    target_id: string | null;
    details: string;
  }>`
    SELECT id, occurred_at, action, actor_type, actor_id, target_id, details FROM audit_events
    WHERE org_id IN (${platformOrgId}, ${orgId})
      AND occurred_at >= ${period.from} AND occurred_at < ${period.to}
      AND (action LIKE 'platform\\_key.%' OR action LIKE 'keyring.%'
        OR action LIKE 'oauth.signing\\_key.%' OR action = 'oauth.client.secret_rotated')
    ORDER BY occurred_at, id`.execute(tx);
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
  const keys = await tx
    .selectFrom('keyring_data_keys')
    .select(['id', 'status', 'activated_at', 'master_key_id'])
    .orderBy('id')
    .execute();
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

/** platform/tenant-isolation.json: every table's row-level security and its policies. */
export async function tenantIsolationFile(tx: Tx, now: Date) {
  const { rows } = await sql<{ table: string; rls: boolean; forced: boolean; policies: string }>`
    SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
      (SELECT count(*) FROM pg_policies p
       WHERE p.schemaname = n.nspname AND p.tablename = c.relname)::text AS policies
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    ORDER BY c.relname`.execute(tx);
  const orgColumns = await sql<{ table: string }>`
    SELECT table_name AS table FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name = 'org_id'`.execute(tx);
  const tenantTables = new Set(orgColumns.rows.map((r) => r.table));
  const tables = rows.map((r) => ({
    table: r.table,
    tenantData: tenantTables.has(r.table),
    rowLevelSecurity: r.rls,
    forced: r.forced,
    policies: Number(r.policies),
  }));
  return json({
    asOf: now.toISOString(),
    mechanism:
      'PostgreSQL row-level security: each transaction sets vigil.org_id; tenant tables show and accept only that organization’s rows',
    tenantTablesWithoutRls: tables
      .filter((t) => t.tenantData && !t.rowLevelSecurity)
      .map((t) => t.table),
    tables,
  });
}
