import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, type KyselyConfig, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { platformErrors } from '../errors.ts';
import { type ListenHandlers, listenOnPostgres } from './listener.ts';
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
  /**
   * PostgreSQL only: connections that are `vigil_platform` for their whole life, for single
   * statements without a transaction around them. Use through `platformStatement` (scope.ts).
   */
  readonly platformDb?: Kysely<DB>;
  /** One owner transaction, serialised across nodes by the caller's advisory lock. */
  ownerTransaction<T>(fn: (session: OwnerSession) => Promise<T>): Promise<T>;
  /**
   * Hears every `pg_notify(channel, …)` once its transaction commits, from every node on this
   * database (src/platform/db/notify.ts). Resolves once listening; the result stops.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string;
  /** Directory for PGlite; `memory://` keeps it in memory (tests). */
  dataDir: string;
  poolSize?: number;
  /** An already created PGlite instance to use (tests start from a migrated snapshot). */
  pglite?: PGlite;
  /**
   * Told the SQL of every runtime statement once it has run (or failed): tests compare what the
   * branches of a flow send (docs/authentication.md#timing).
   */
  onStatement?: (sql: string) => void;
}

const setAppRole = CompiledQuery.raw(`SET ROLE ${appRole}`);
/** The role that sees every organization's rows (docs/adr/0004-rls-scopes.md). */
export const platformRole = 'vigil_platform';

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const log = statementLog(options.onStatement);
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, log)
    : openPglite(options.dataDir, options.pglite, log);
}

type StatementLog = KyselyConfig['log'];

function statementLog(onStatement?: (sql: string) => void): StatementLog {
  return onStatement && ((event) => onStatement(event.query.sql));
}

async function openPglite(dataDir: string, given?: PGlite, log?: StatementLog): Promise<Database> {
  const location = dataDir === 'memory://' ? undefined : `${dataDir}/pglite`;
  const release = location ? lockDataDir(dataDir) : () => undefined;
  let pglite: PGlite;
  try {
    if (location) mkdirSync(location, { recursive: true });
    pglite = given ?? new PGlite(location);
    await pglite.waitReady;
  } catch (err) {
    release();
    throw err;
  }
  let roleSet = false;
  const db = new Kysely<DB>({
    dialect: new PGliteDialect({
      pglite,
      // PGlite runs as a superuser, which bypasses RLS: switch to the app role
      // (docs/architecture.md#data-and-tenancy).
      onCreateConnection: async (conn) => {
        roleSet = true;
        await conn.executeQuery(setAppRole);
      },
    }),
    log,
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
    // One process holds PGlite, so its own LISTEN is every node's. Issued while holding Kysely's
    // one connection, so that it never lands inside (and rolls back with) another transaction.
    async listen(channel, handlers) {
      const stop = await db.connection().execute(() => pglite.listen(channel, handlers.onMessage));
      return async () => {
        if (!pglite.closed) await db.connection().execute(() => stop());
      };
    },
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      release();
    },
  };
}

async function openPostgres(url: string, poolSize: number, log?: StatementLog): Promise<Database> {
  const pool = idleErrorsIgnored(new pg.Pool({ connectionString: url, max: poolSize }));
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: async (conn) => {
        await conn.executeQuery(setAppRole);
      },
    }),
    log,
  });
  const platformDb = new Kysely<DB>({
    dialect: new PostgresDialect({
      pool: idleErrorsIgnored(
        new pg.Pool({ connectionString: url, max: Math.max(2, Math.ceil(poolSize / 2)) }),
      ),
      onCreateConnection: async (conn) => {
        await conn.executeQuery(CompiledQuery.raw(`SET ROLE ${platformRole}`));
      },
    }),
    log,
  });
  return {
    kind: 'postgres',
    db,
    platformDb,
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
    listen: (channel, handlers) => listenOnPostgres(url, channel, handlers),
    async close() {
      await Promise.all([db.destroy(), platformDb.destroy()]);
    },
  };
}

/**
 * An idle pooled connection that the server drops (restart, failover, `pg_terminate_backend`)
 * makes the pool emit 'error'; unhandled, that would crash the process. The pool has already
 * discarded the connection and the next query opens a new one, so there is nothing else to do.
 */
function idleErrorsIgnored(pool: pg.Pool): pg.Pool {
  pool.on('error', () => undefined);
  return pool;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Embedded storage belongs to one process at a time: a second opener (say, the CLI while the
 * server runs) would corrupt it. A pid file makes that a clear error instead.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'pglite.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
        throw platformErrors.embeddedInUse({ dataDir, holder: `process ${holder}` });
      }
      rmSync(path, { force: true });
    }
  }
  throw platformErrors.embeddedInUse({ dataDir, holder: 'another process' });
}
