import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { takenBy } from '../src/identity/directory.store.ts';
import { findUserByEmail, signInCandidates } from '../src/identity/store.ts';
import { type Tx, withOrg, withPlatform } from '../src/platform/index.ts';
import { filterSql, parseFilter, scimSchemas, userFilterAttributes } from '../src/scim/index.ts';
import { userFilterColumns } from '../src/scim/users.store.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { asOwner } from './support/database.ts';

/**
 * Lookups by email and SCIM userName ignoring case go through an index under row-level security
 * (migration 0019). `lower(email) = lower($1)` cannot: the policy's condition runs first and only
 * leakproof conditions may use an index before it, so each such lookup read every user of the
 * organization (every user of every organization for the sign-in). What a statement scanned is
 * read from the transaction's own statistics (pg_stat_xact_user_tables), on PGlite and
 * PostgreSQL alike.
 */
describe('user lookups by email and userName use an index under row-level security', () => {
  let core: TestCore;
  let orgId: string;
  const users = 5000;

  before(async () => {
    core = await openTestCore();
    orgId = await core.createOrg('lookups');
    // Enough users that reading them all is the planner's last resort, as the owner (a bulk load).
    await asOwner(
      core.database,
      `INSERT INTO users (id, org_id, email, display_name, status, created_at, updated_at)
       SELECT gen_random_uuid(), $1, 'User' || g || '@Lookups.test', 'User ' || g, 'active',
              now(), now()
         FROM generate_series(1, ${users}) AS g`,
      [orgId],
    );
    await asOwner(core.database, 'ANALYZE users');
  });
  after(() => core.close());

  /** What `lookup` did to the users table: sequential scans and index scans, in its transaction. */
  async function scans(tx: Tx, lookup: () => Promise<unknown>) {
    const read = async () => {
      const { rows } = await sql<{ seq: number; idx: number }>`
        SELECT coalesce(seq_scan, 0)::int AS seq, coalesce(idx_scan, 0)::int AS idx
          FROM pg_stat_xact_user_tables WHERE relname = 'users'`.execute(tx);
      return rows[0] ?? { seq: 0, idx: 0 };
    };
    const before = await read();
    const found = await lookup();
    const after = await read();
    return { seq: after.seq - before.seq, idx: after.idx - before.idx, found };
  }

  test('an administrator creating a user: the email taken or not', async () => {
    const taken = await withOrg(core.database, orgId, (tx) =>
      scans(tx, () => findUserByEmail(tx, orgId, 'user4321@LOOKUPS.test')),
    );
    assert.equal((taken.found as { email: string } | undefined)?.email, 'User4321@Lookups.test');
    assert.deepEqual([taken.seq, taken.idx > 0], [0, true]);
  });

  test("a directory's create: email or userName taken", async () => {
    const checked = await withOrg(core.database, orgId, (tx) =>
      scans(tx, () =>
        takenBy(tx, orgId, { email: 'new@lookups.test', userName: 'USER17@lookups.test' }, null),
      ),
    );
    assert.deepEqual(checked.found, { email: false, userName: true });
    assert.deepEqual([checked.seq, checked.idx > 0], [0, true]);
  });

  test("Okta's lookup: userName eq, and emails.value eq", async () => {
    for (const filter of [
      'userName eq "user99@LOOKUPS.TEST"',
      'emails.value eq "User99@lookups.test"',
    ]) {
      const where = filterSql(
        parseFilter(filter, userFilterAttributes, scimSchemas.user),
        userFilterColumns,
      );
      const looked = await withOrg(core.database, orgId, (tx) =>
        scans(tx, () => tx.selectFrom('users').select('email').where(where).execute()),
      );
      assert.deepEqual(looked.found, [{ email: 'User99@Lookups.test' }], filter);
      assert.deepEqual([looked.seq, looked.idx > 0], [0, true], filter);
    }
  });

  test('the sign-in: accounts with this email in every organization', async () => {
    const read = await withPlatform(core.database, (tx) =>
      scans(tx, () => signInCandidates(tx, 'user2500@lookups.TEST', undefined)),
    );
    assert.equal((read.found as { email: string }[]).length, 1);
    assert.deepEqual([read.seq, read.idx > 0], [0, true]);
  });
});
