import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createIdentityService } from '../src/identity/index.ts';
import { newId, operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';

/**
 * Row-level security (docs/architecture.md#data-and-tenancy) on every tenant-owned table, on PGlite
 * and PostgreSQL alike.
 */
describe('tenant isolation', () => {
  let core: TestCore;
  let orgA: string;
  let orgB: string;
  let userB: string;

  before(async () => {
    core = await openTestCore();
    const identity = createIdentityService({
      database: core.database,
      audit: core.audit.record,
      clock: core.clock,
    });
    orgA = await core.createOrg('acme');
    orgB = await core.createOrg('globex');
    await withOrg(core.database, orgA, (tx) =>
      identity.createUser(tx, orgA, { email: 'ann@acme.test', displayName: 'Ann' }, operatorActor),
    );
    userB = (
      await withOrg(core.database, orgB, (tx) =>
        identity.createUser(
          tx,
          orgB,
          { email: 'bob@globex.test', displayName: 'Bob' },
          operatorActor,
        ),
      )
    ).id;
  });
  after(() => core.close());

  const tenantTables = ['organizations', 'users', 'audit_events'] as const;

  it('a query without an organization context sees no rows', async () => {
    for (const table of tenantTables) {
      const rows = await core.database.db.selectFrom(table).selectAll().execute();
      assert.equal(rows.length, 0, `${table} leaked ${rows.length} rows without a scope`);
    }
    // Platform tables are not even readable by the application role, scoped or not.
    for (const table of [
      'platform_keys',
      'keyring_data_keys',
      'bootstrap_tokens',
      'audit_seal_blocks',
    ] as const) {
      await assert.rejects(
        core.database.db.selectFrom(table).selectAll().execute(),
        /permission denied/,
      );
      await assert.rejects(
        withOrg(core.database, orgA, (tx) => tx.selectFrom(table).selectAll().execute()),
        /permission denied/,
      );
    }
    // ...although the rows exist (platform scope sees them).
    const users = await withPlatform(core.database, (tx) =>
      tx.selectFrom('users').selectAll().execute(),
    );
    assert.equal(users.length, 2);
  });

  it('one organization reads only its own rows', async () => {
    const seen = await withOrg(core.database, orgA, async (tx) => ({
      users: await tx.selectFrom('users').select(['email', 'org_id']).execute(),
      orgs: await tx.selectFrom('organizations').select('slug').execute(),
      events: await tx.selectFrom('audit_events').select('org_id').distinct().execute(),
    }));
    assert.deepEqual(seen.users, [{ email: 'ann@acme.test', org_id: orgA }]);
    assert.deepEqual(seen.orgs, [{ slug: 'acme' }]);
    assert.deepEqual(seen.events, [{ org_id: orgA }]);
    const byId = await withOrg(core.database, orgA, (tx) =>
      tx.selectFrom('users').selectAll().where('id', '=', userB).execute(),
    );
    assert.equal(byId.length, 0);
  });

  it("one organization cannot write another organization's rows", async () => {
    // Update and delete of B's row from A's context touch nothing.
    const updated = await withOrg(core.database, orgA, (tx) =>
      tx
        .updateTable('users')
        .set({ display_name: 'Mallory' })
        .where('id', '=', userB)
        .executeTakeFirst(),
    );
    assert.equal(Number(updated.numUpdatedRows), 0);
    // Inserting a row that claims B's org is refused by the policy's WITH CHECK.
    await assert.rejects(
      withOrg(core.database, orgA, (tx) =>
        tx
          .insertInto('users')
          .values({
            id: newId(),
            org_id: orgB,
            email: 'eve@globex.test',
            display_name: 'Eve',
            created_at: new Date(),
            updated_at: new Date(),
            deactivated_at: null,
          })
          .execute(),
      ),
      /row-level security/,
    );
    // Moving A's own row into B is refused too.
    await assert.rejects(
      withOrg(core.database, orgA, (tx) =>
        tx
          .updateTable('users')
          .set({ org_id: orgB })
          .where('email', '=', 'ann@acme.test')
          .execute(),
      ),
      /row-level security/,
    );
    const bob = await withPlatform(core.database, (tx) =>
      tx.selectFrom('users').selectAll().where('id', '=', userB).executeTakeFirstOrThrow(),
    );
    assert.equal(bob.display_name, 'Bob');
  });

  it('the application runs as roles that cannot bypass row-level security', async () => {
    const query = sql<{ current_user: string; bypass: boolean; superuser: boolean }>`
      SELECT current_user, rolbypassrls AS bypass, rolsuper AS superuser
      FROM pg_roles WHERE rolname = current_user`;
    const org = await withOrg(core.database, orgA, (tx) => query.execute(tx));
    assert.deepEqual(org.rows[0], { current_user: 'vigil_app', bypass: false, superuser: false });
    const platform = await withPlatform(core.database, (tx) => query.execute(tx));
    assert.deepEqual(platform.rows[0], {
      current_user: 'vigil_platform',
      bypass: false,
      superuser: false,
    });
    // Platform scope ends with its transaction.
    const after = await withOrg(core.database, orgA, (tx) => query.execute(tx));
    assert.equal(after.rows[0]?.current_user, 'vigil_app');
  });

  it('refuses a malformed organization id instead of building SQL from it', async () => {
    await assert.rejects(
      withOrg(core.database, "x' OR '1'='1", async () => 1),
      (err: Error & { code?: string }) => err.code === 'db.bad_scope',
    );
  });
});
