import { CompiledQuery, type Kysely, sql } from 'kysely';
import { platformErrors } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { type Database, platformRole } from './database.ts';
import type { DB } from './tables.ts';

/** A connection inside one transaction whose row-level-security scope is set. */
export type Tx = Kysely<DB>;

/**
 * `repeatable read, read only` is a read-only snapshot: one consistent view for a long read (an
 * evidence pack) that writes nothing, so it takes no transaction id and never holds back the
 * audit sealer's horizon.
 */
export type Isolation =
  | 'read committed'
  | 'repeatable read'
  | 'serializable'
  | 'repeatable read, read only';

export type Scope = { kind: 'org'; orgId: string } | { kind: 'platform' };

/**
 * Runs `fn` in one transaction scoped to an organization: row-level security shows and accepts
 * only that organization's rows. The state change and its audit event go through the same `tx`
 * (docs/architecture.md#invariant-1): both commit or neither does.
 */
export function withOrg<T>(
  database: Database,
  orgId: string,
  fn: (tx: Tx) => Promise<T>,
  isolation: Isolation = 'read committed',
): Promise<T> {
  return inScope(database, { kind: 'org', orgId }, fn, isolation);
}

/**
 * Runs `fn` in one transaction in platform scope (as `vigil_platform`): every organization's rows
 * and the platform tables are visible. Only for the operator's own work (bootstrap, key rotation,
 * audit sealing and verification, sweeps).
 */
export function withPlatform<T>(
  database: Database,
  fn: (tx: Tx) => Promise<T>,
  isolation: Isolation = 'read committed',
): Promise<T> {
  return inScope(database, { kind: 'platform' }, fn, isolation);
}

/**
 * A runner of transactions in one organization's scope, except the platform organization's, whose
 * rows are kept in platform scope as the admin API's runner does: for the `…InOrg` use cases the
 * CLI and tests call.
 */
export function orgScopeRunner(database: Database, platformOrgId: string) {
  return <T>(orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T> =>
    orgId === platformOrgId ? withPlatform(database, fn) : withOrg(database, orgId, fn);
}

/**
 * Runs one statement in platform scope without a transaction around it: one round trip instead
 * of three, for the hot paths of the OAuth provider (docs/adr/0007-platform-statements.md).
 * `fn` must issue exactly one statement; on PGlite it runs in `withPlatform`.
 */
export function platformStatement<T>(database: Database, fn: (db: Tx) => Promise<T>): Promise<T> {
  return database.platformDb ? fn(database.platformDb) : withPlatform(database, fn);
}

/** Work a transaction runs just before and just after its COMMIT, keyed by its connection. */
interface CommitHooks {
  before: Map<string, () => Promise<void>>;
  after: (() => Promise<void>)[];
}
const commitHooks = new WeakMap<Tx, CommitHooks>();

/**
 * Runs `hook` once, right before `tx` commits (its failure rolls the transaction back), so that
 * writes collected during the transaction can travel in one statement. Registering the same
 * `key` again keeps the first hook. Returns false when `tx` was not opened by `withOrg` or
 * `withPlatform`; the caller must then write at once.
 */
export function beforeCommit(tx: Tx, key: string, hook: () => Promise<void>): boolean {
  const hooks = commitHooks.get(tx)?.before;
  if (!hooks) return false;
  if (!hooks.has(key)) hooks.set(key, hook);
  return true;
}

/**
 * Runs `effect` once `tx` has committed (never when it rolls back), before `withOrg` or
 * `withPlatform` returns: for work in another scope or another system that must follow the
 * commit. The effect handles its own errors (the transaction stands whatever it does).
 */
export function afterCommit(tx: Tx, effect: () => Promise<void>): void {
  const hooks = commitHooks.get(tx);
  if (hooks) hooks.after.push(effect);
  else void effect();
}

function scopeStatement(scope: Scope): string {
  if (scope.kind === 'platform') return `SET LOCAL ROLE ${platformRole}`;
  // Inlined rather than bound so that BEGIN and the scope travel in one round trip on PostgreSQL
  // (docs/adr/0004-rls-scopes.md); safe because the org id must be a canonical UUID.
  if (!isUuid(scope.orgId)) {
    throw platformErrors.badScope();
  }
  return `SELECT set_config('vigil.org_id', '${scope.orgId}', true)`;
}

/** Ends a transaction with ROLLBACK, whatever state an error left it in. */
async function rollback(conn: Tx): Promise<void> {
  await conn.executeQuery(CompiledQuery.raw('ROLLBACK')).catch(() => undefined);
}

async function inScope<T>(
  database: Database,
  scope: Scope,
  fn: (tx: Tx) => Promise<T>,
  isolation: Isolation,
): Promise<T> {
  const setScope = scopeStatement(scope);
  const begin = `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`;
  const hooks: CommitHooks = { before: new Map(), after: [] };
  const result = await database.db.connection().execute(async (conn) => {
    let result: T;
    commitHooks.set(conn, hooks);
    try {
      // PostgreSQL's simple protocol runs both in one round trip; PGlite's query takes one.
      if (database.kind === 'postgres') await sql.raw(`${begin}; ${setScope}`).execute(conn);
      else {
        await sql.raw(begin).execute(conn);
        await sql.raw(setScope).execute(conn);
      }
      result = await fn(conn);
      for (const hook of hooks.before.values()) await hook();
    } catch (err) {
      await rollback(conn);
      throw err;
    } finally {
      commitHooks.delete(conn);
    }
    try {
      await conn.executeQuery(CompiledQuery.raw('COMMIT'));
    } catch (err) {
      await rollback(conn);
      throw err;
    }
    return result;
  });
  // Once the connection is back in the pool: an effect may need one (a single one on PGlite).
  for (const effect of hooks.after) await effect().catch(() => undefined);
  return result;
}

/**
 * Runs `work` inside a savepoint of `tx`: if it throws, what it wrote is undone and the
 * transaction stays usable (PostgreSQL aborts the whole transaction on a failed statement
 * otherwise), then the error is rethrown. For independent parts of one round (each alert rule).
 */
export async function inSavepoint<T>(tx: Tx, name: string, work: () => Promise<T>): Promise<T> {
  const id = sql.id(name);
  await sql`SAVEPOINT ${id}`.execute(tx);
  try {
    const result = await work();
    await sql`RELEASE SAVEPOINT ${id}`.execute(tx);
    return result;
  } catch (err) {
    await sql`ROLLBACK TO SAVEPOINT ${id}`.execute(tx);
    throw err;
  }
}
