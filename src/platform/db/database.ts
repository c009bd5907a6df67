import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './tables.ts';

/** The role every runtime connection switches to, so that row-level security applies. */
export const appRole = 'vigil_app';

/** Runs a multi-statement SQL script as the connecting (owner) role; used by migrations only. */
export interface OwnerSession {
  script(sql: string): Promise<void>;
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Runtime queries, as `vigil_app`. Use through `withOrg` / `withPlatform` (scope.ts). */
  readonly db: Kysely<DB>;
  /** One owner transaction, serialised across nodes by the caller's advisory lock. */
  ownerTransaction<T>(fn: (session: OwnerSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string;
  /** Directory for PGlite; `memory://` keeps it in memory (tests). */
  dataDir: string;
  poolSize?: number;
}

const setAppRole = CompiledQuery.raw(`SET ROLE ${appRole}`);

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : openPglite(options.dataDir);
}

async function openPglite(dataDir: string): Promise<Database> {
  const location = dataDir === 'memory://' ? undefined : `${dataDir}/pglite`;
  if (location) mkdirSync(location, { recursive: true });
  const pglite = new PGlite(location);
  await pglite.waitReady;
  let roleSet = false;
  const db = new Kysely<DB>({
    dialect: new PGliteDialect({
      pglite,
      // PGlite runs as a superuser, which bypasses RLS: switch to the app role (DESIGN §4).
      onCreateConnection: async (conn) => {
        roleSet = true;
        await conn.executeQuery(setAppRole);
      },
    }),
  });
  return {
    kind: 'pglite',
    db,
    async ownerTransaction(fn) {
      // The one PGlite session may already have switched role; owner work needs it back.
      if (roleSet) await pglite.exec('RESET ROLE');
      try {
        return await pglite.transaction(async (tx) =>
          fn({
            script: async (sql) => {
              await tx.exec(sql);
            },
            query: async <R>(sql: string, params?: unknown[]) =>
              (await tx.query<R>(sql, params as never[])).rows,
          }),
        );
      } finally {
        if (roleSet) await pglite.exec(`SET ROLE ${appRole}`);
      }
    },
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: async (conn) => {
        await conn.executeQuery(setAppRole);
      },
    }),
  });
  return {
    kind: 'postgres',
    db,
    async ownerTransaction(fn) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          // Without parameters pg uses the simple protocol, which runs several statements.
          script: async (sql) => {
            await client.query(sql);
          },
          query: async <R>(sql: string, params?: unknown[]) =>
            (await client.query(sql, params)).rows as R[],
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        await client.end();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}
