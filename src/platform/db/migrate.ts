import { readdirSync, readFileSync } from 'node:fs';
import { platformErrors } from '../errors.ts';
import type { Database, OwnerSession } from './database.ts';

const migrationsDir = new URL('./migrations/', import.meta.url);
/** Advisory-lock key shared by every node: one migrator at a time, the others wait, then see it done. */
const migrationLockKey = 7_104_225_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** SHA-256 through Web Crypto: only src/crypto imports node:crypto, and platform sits below it. */
async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(digest).toString('hex');
}

export async function listMigrations(): Promise<Migration[]> {
  const files = readdirSync(migrationsDir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = readFileSync(new URL(file, migrationsDir), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: await sha256Hex(sql),
      };
    }),
  );
}

const createLedger = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function appliedVersions(session: OwnerSession): Promise<Map<number, string>> {
  const rows = await session.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
  return new Map(rows.map((r) => [Number(r.version), r.checksum]));
}

/**
 * Applies pending migrations forward-only, each in the one transaction that holds the lock, so a
 * crash leaves either all or none of it. Several nodes starting at once queue on the lock.
 */
export async function migrate(database: Database): Promise<string[]> {
  const migrations = await listMigrations();
  return database.ownerTransaction(async (session) => {
    await session.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
    await session.script(createLedger);
    const applied = await appliedVersions(session);
    const done: string[] = [];
    for (const m of migrations) {
      const checksum = applied.get(m.version);
      if (checksum !== undefined) {
        if (checksum !== m.checksum) {
          throw platformErrors.migrationChanged({ name: m.name });
        }
        continue;
      }
      await session.script(m.sql);
      await session.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [m.version, m.name, m.checksum],
      );
      done.push(m.name);
    }
    const known = new Set(migrations.map((m) => m.version));
    const unknown = [...applied.keys()].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw platformErrors.schemaNewer({ names: unknown.join(', ') });
    }
    return done;
  });
}

/** Migrations this code knows that the database has not applied (for /readyz). Runs as the app role. */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const known = await listMigrations();
  const rows = await database.db.selectFrom('schema_migrations').select('version').execute();
  const applied = new Set(rows.map((r) => Number(r.version)));
  return known.filter((m) => !applied.has(m.version)).map((m) => m.name);
}
