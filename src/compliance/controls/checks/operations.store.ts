import { sql } from 'kysely';
import type { EncryptedColumn } from '../../../crypto/index.ts';
import type { Tx } from '../../../platform/index.ts';

/**
 * The reads of the audit, alerting, encryption, key and isolation checks (checks/operations.ts):
 * their own queries over the tables and the PostgreSQL catalog, in the check's transaction.
 */

/** Sessions started since `since` with no `session.created` event (what a completed sign-in writes). */
export async function sessionsWithoutSignInEvent(tx: Tx, orgId: string, since: Date) {
  const { rows } = await sql<{ id: string; user_id: string; created_at: Date }>`
    SELECT s.id, s.user_id, s.created_at FROM sessions s
    WHERE s.org_id = ${orgId} AND s.created_at >= ${since}
      AND NOT EXISTS (
        SELECT 1 FROM audit_events e
        WHERE e.org_id = s.org_id AND e.action = 'session.created'
          AND e.target_type = 'session' AND e.target_id = s.id::text)
    ORDER BY s.created_at, s.id`.execute(tx);
  return rows;
}

/** Policy versions made since `since` with no `policy.<kind>.changed` event naming that version. */
export async function policyVersionsWithoutEvent(tx: Tx, orgId: string, since: Date) {
  const { rows } = await sql<{ kind: string; version: number; changed_at: Date }>`
    SELECT p.kind, p.version, p.changed_at FROM security_policies p
    WHERE p.org_id = ${orgId} AND p.changed_at >= ${since}
      AND NOT EXISTS (
        SELECT 1 FROM audit_events e
        WHERE e.org_id = p.org_id AND e.action = 'policy.' || p.kind || '.changed'
          AND e.target_id = p.org_id::text || ':' || p.version)
    ORDER BY p.kind, p.version`.execute(tx);
  return rows.map((r) => ({ ...r, version: Number(r.version) }));
}

/** The months ('YYYY-MM', UTC) of the organization's events still in the database, before `before`. */
export async function auditMonthsBefore(tx: Tx, orgId: string, before: Date): Promise<string[]> {
  const { rows } = await sql<{ month: string }>`
    SELECT DISTINCT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month
    FROM audit_events WHERE org_id = ${orgId} AND occurred_at < ${before}
    ORDER BY 1`.execute(tx);
  return rows.map((r) => r.month);
}

export interface SlowAlert {
  id: string;
  rule: string;
  severity: string;
  title: string;
  created_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
}

/**
 * High and critical alerts that waited more than `maxWaitMs` for someone to acknowledge (or
 * resolve) them: every one still open, and those handled since `since`; an open one's wait runs
 * up to `now`.
 */
export async function slowAlerts(
  tx: Tx,
  orgId: string,
  since: Date,
  now: Date,
  maxWaitMs: number,
): Promise<SlowAlert[]> {
  const { rows } = await sql<SlowAlert>`
    SELECT id, rule, severity, title, created_at, acknowledged_at, resolved_at FROM alerts
    WHERE org_id = ${orgId} AND severity IN ('high', 'critical')
      AND (created_at >= ${since} OR (acknowledged_at IS NULL AND resolved_at IS NULL))
      AND COALESCE(acknowledged_at, resolved_at, ${now}::timestamptz) - created_at
        > make_interval(secs => ${maxWaitMs / 1000})
    ORDER BY created_at, id`.execute(tx);
  return rows;
}

/** The keyring's data keys: which master key wraps each, and since when it is active. */
export function dataKeys(tx: Tx) {
  return tx
    .selectFrom('keyring_data_keys')
    .select(['id', 'master_key_id', 'status', 'activated_at'])
    .orderBy('id')
    .execute();
}

/** How many values of an encrypted column are under each data key id (`v1:<id>:…`). */
export async function ciphertextsByKey(
  tx: Tx,
  col: EncryptedColumn,
): Promise<{ keyId: string; count: number }[]> {
  const { rows } = await sql<{ key_id: string; count: string }>`
    SELECT split_part(${sql.ref(col.column)}, ':', 2) AS key_id, count(*)::text AS count
    FROM ${sql.table(col.table)} WHERE ${sql.ref(col.column)} IS NOT NULL
    GROUP BY 1 ORDER BY 1`.execute(tx);
  return rows.map((r) => ({ keyId: r.key_id, count: Number(r.count) }));
}

/** Data-key rotations whose re-encryption has not finished, started before `before`. */
export function unfinishedRotations(tx: Tx, before: Date) {
  return tx
    .selectFrom('keyring_rotations')
    .select(['id', 'to_key_id', 'started_at'])
    .where('finished_at', 'is', null)
    .where('started_at', '<', before)
    .orderBy('started_at')
    .execute();
}

/** The token signing keys that sign at `now` (activated, not retired), per algorithm. */
export async function activeSigningKeys(tx: Tx, now: Date) {
  return tx
    .selectFrom('oidc_signing_keys')
    .select(['id', 'kid', 'alg', 'activate_at'])
    .where('activate_at', '<=', now)
    .where((eb) => eb.or([eb('retire_at', 'is', null), eb('retire_at', '>', now)]))
    .orderBy('alg')
    .orderBy('activate_at', 'desc')
    .execute();
}

/**
 * The database's side of the connection: the server address (null over a Unix socket) and,
 * when the current role may see it, whether the connection uses TLS.
 */
export async function connectionFacts(
  tx: Tx,
): Promise<{ address: string | null; ssl: boolean | null }> {
  const { rows } = await sql<{ address: string | null }>`
    SELECT host(inet_server_addr()) AS address`.execute(tx);
  // pg_stat_ssl shows a backend only to roles that may see its activity: null when hidden.
  const ssl = await sql<{ ssl: boolean }>`
    SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`.execute(tx);
  return { address: rows[0]?.address ?? null, ssl: ssl.rows[0]?.ssl ?? null };
}

/** Every table of the schema with an org_id column: its row-level security, and whether it is a partition. */
export async function tablesWithOrgId(tx: Tx) {
  const { rows } = await sql<{
    table: string;
    enabled: boolean;
    forced: boolean;
    partition: boolean;
    app_access: boolean;
  }>`
    SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
      c.relispartition AS partition,
      (has_table_privilege('vigil_app', c.oid, 'SELECT,INSERT,UPDATE,DELETE')
        OR has_table_privilege('vigil_platform', c.oid, 'SELECT,INSERT,UPDATE,DELETE')) AS app_access
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
    ORDER BY c.relname`.execute(tx);
  return rows;
}

/** The application's database roles and the attributes that would let them past row-level security. */
export async function appRoles(tx: Tx, names: readonly string[]) {
  const { rows } = await sql<{ name: string; superuser: boolean; bypassrls: boolean }>`
    SELECT rolname AS name, rolsuper AS superuser, rolbypassrls AS bypassrls FROM pg_roles
    WHERE rolname IN (${sql.join(names)}) ORDER BY rolname`.execute(tx);
  return rows;
}

/** The audit tables (with audit_events' monthly partitions), their triggers and the app roles' rights on them. */
export async function auditTableGuards(tx: Tx, roles: readonly string[]) {
  const { rows } = await sql<{
    table: string;
    role: string;
    can_update: boolean;
    can_delete: boolean;
    can_truncate: boolean;
    triggers: string[] | null;
  }>`
    SELECT c.relname AS table, r.role,
      has_table_privilege(r.role, c.oid, 'UPDATE') AS can_update,
      has_table_privilege(r.role, c.oid, 'DELETE') AS can_delete,
      has_table_privilege(r.role, c.oid, 'TRUNCATE') AS can_truncate,
      (SELECT array_agg(t.tgname ORDER BY t.tgname) FROM pg_trigger t
        WHERE t.tgrelid = c.oid AND t.tgenabled <> 'D' AND NOT t.tgisinternal) AS triggers
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN unnest(${sql.val([...roles])}::text[]) AS r(role)
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
      AND (c.relname IN ('audit_events', 'audit_seal_blocks')
        OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'audit_events'::regclass))
    ORDER BY c.relname, r.role`.execute(tx);
  return rows.map((r) => ({ ...r, triggers: r.triggers ?? [] }));
}
