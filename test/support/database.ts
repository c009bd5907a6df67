import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import {
  type Database,
  listMigrations,
  migrate,
  newId,
  openDatabase,
} from '../../src/platform/index.ts';

/** The migrations' identity: a migrated copy made for one set serves no other. */
async function migrationsKey(): Promise<string> {
  const key = (await listMigrations()).map((m) => m.checksum.slice(0, 12)).join('-');
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** PGlite's own version: its dumps are loaded only by the version that made them. */
const pgliteVersion = String(
  JSON.parse(
    readFileSync(new URL('../package.json', import.meta.resolve('@electric-sql/pglite')), 'utf8'),
  ).version,
);

/** Whether the lock's holder died without removing it (a lock still being written is alive). */
function abandoned(lock: string): boolean {
  let holder: number;
  try {
    holder = Number(readFileSync(lock, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(holder) || holder <= 0) return false;
  try {
    process.kill(holder, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Starting PGlite and migrating takes seconds; loading a migrated snapshot takes one. The
 * snapshot is cached in the temp dir, keyed by the migrations and PGlite's version. The first
 * file to need it builds it holding a lock file; the files started beside it wait for it.
 */
async function migratedSnapshot(): Promise<Blob> {
  const path = join(tmpdir(), `vigil-pglite-${pgliteVersion}-${await migrationsKey()}.tar`);
  const lock = `${path}.lock`;
  for (;;) {
    if (existsSync(path)) return new Blob([readFileSync(path)]);
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A builder that died leaves its lock behind: the next file builds instead.
      if (abandoned(lock)) rmSync(lock, { force: true });
      else await sleep(100);
    }
  }
  try {
    const pglite = new PGlite();
    const database = await openDatabase({ dataDir: 'memory://', pglite });
    await migrate(database);
    const dump = await pglite.dumpDataDir('none');
    await database.close();
    const partial = `${path}.${process.pid}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, path);
    return dump;
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * The PostgreSQL counterpart: a migrated template database on the test server, named after the
 * migrations, that each file's database is created from (a file copy instead of a migration).
 * The first file to need it builds it under an advisory lock; the others wait for it. It stays
 * on the server for the next run, like the PGlite snapshot in the temp dir.
 */
async function migratedTemplate(serverUrl: string): Promise<string> {
  const name = `vigil_template_${await migrationsKey()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query("SELECT pg_advisory_lock(hashtext('vigil test template'))");
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      // Built under another name and renamed when complete: a crash leaves no half template.
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building}`);
      const database = await openDatabase({
        databaseUrl: withDatabaseName(serverUrl, building),
        dataDir: 'unused',
        poolSize: 1,
      });
      try {
        await migrate(database);
      } finally {
        await database.close();
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    }
    return name;
  } finally {
    await admin.query("SELECT pg_advisory_unlock(hashtext('vigil test template'))");
    await admin.end();
  }
}

const statementListeners = new Set<(sql: string) => void>();
const onStatement = (sql: string) => {
  for (const listener of statementListeners) listener(sql);
};

/**
 * Records the SQL of every runtime statement the test databases run from now until `stop`, in
 * order: to compare what the branches of a flow send (docs/authentication.md#timing).
 */
export function recordStatements(): { statements: string[]; stop(): void } {
  const statements: string[] = [];
  const listener = (sql: string) => statements.push(sql);
  statementListeners.add(listener);
  return { statements, stop: () => statementListeners.delete(listener) };
}

/** The real PostgreSQL server the suite runs against, when set; otherwise PGlite in memory. */
export const testDatabaseUrl = process.env.VIGIL_TEST_DATABASE_URL;

export interface TestDatabase {
  database: Database;
  /** Owner/superuser connection URL (PostgreSQL only), for tampering and privilege tests. */
  ownerUrl?: string;
  close(): Promise<void>;
}

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, migrated database for one test file: a new PostgreSQL database or an in-memory PGlite. */
export async function openTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const doMigrate = options.migrate ?? true;
  if (!testDatabaseUrl) {
    const snapshot = doMigrate ? await migratedSnapshot() : undefined;
    const pglite = new PGlite(snapshot ? { loadDataDir: snapshot } : {});
    const database = await openDatabase({ dataDir: 'memory://', pglite, onStatement });
    return { database, close: () => database.close() };
  }
  const name = `vigil_t_${newId().replaceAll('-', '').slice(-16)}`;
  const template = doMigrate ? await migratedTemplate(testDatabaseUrl) : undefined;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  await admin.end();
  const ownerUrl = withDatabaseName(testDatabaseUrl, name);
  const database = await openDatabase({
    databaseUrl: ownerUrl,
    dataDir: 'unused',
    poolSize: 8,
    onStatement,
  });
  return {
    database,
    ownerUrl,
    async close() {
      await database.close();
      const drop = new pg.Client({ connectionString: testDatabaseUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}

/** Runs SQL as the database owner (a superuser here): what an attacker with DBA access could do. */
export function asOwner<R = Record<string, unknown>>(
  database: Database,
  query: string,
  params: unknown[] = [],
): Promise<R[]> {
  return database.ownerTransaction((session) => session.query<R>(query, params));
}
