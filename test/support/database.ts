import pg from 'pg';
import { type Database, migrate, newId, openDatabase } from '../../src/platform/index.ts';

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
    const database = await openDatabase({ dataDir: 'memory://' });
    if (doMigrate) await migrate(database);
    return { database, close: () => database.close() };
  }
  const name = `vigil_t_${newId().replaceAll('-', '').slice(-16)}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const ownerUrl = withDatabaseName(testDatabaseUrl, name);
  const database = await openDatabase({ databaseUrl: ownerUrl, dataDir: 'unused', poolSize: 8 });
  if (doMigrate) await migrate(database);
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
