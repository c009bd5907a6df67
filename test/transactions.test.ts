import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { newId, operatorActor, type Tx, withOrg, withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { asOwner } from './support/database.ts';

/**
 * `withOrg` / `withPlatform` send every statement when it is issued, through the driver's public
 * API (docs/adr/0010-no-pipelined-statements.md): a statement's error is raised by that statement,
 * and a transaction that fails commits nothing (docs/architecture.md#invariant-1).
 */
describe('transactions', () => {
  let test: TestCore;
  let auth: ReturnType<typeof authServices>;
  before(async () => {
    test = await openTestCore();
    auth = authServices(test);
    await asOwner(test.database, 'CREATE TABLE tx_probe (id int PRIMARY KEY)');
    await asOwner(test.database, 'GRANT SELECT, INSERT ON tx_probe TO vigil_platform');
  });
  after(() => test.close());

  const insert = (tx: Tx, id: number) => sql`INSERT INTO tx_probe (id) VALUES (${id})`.execute(tx);
  const committed = (from: number, to: number) =>
    withPlatform(test.database, async (tx) =>
      (
        await sql<{ id: number }>`SELECT id FROM tx_probe WHERE id BETWEEN ${from} AND ${to}
          ORDER BY id`.execute(tx)
      ).rows.map((r) => r.id),
    );

  it('raises a new session’s failed insert at the insert, not later at the COMMIT', async () => {
    const orgId = await test.createOrg('tx-co');
    let raisedAt: string | undefined;
    await assert.rejects(
      withOrg(test.database, orgId, async (tx) => {
        try {
          // No such user: the foreign key refuses the row.
          await auth.sessions.create(
            tx,
            { user: { id: newId(), orgId }, amr: ['pwd'], acr: 'urn:vigil:acr:pwd' },
            operatorActor,
          );
        } catch (err) {
          raisedAt = 'the insert';
          throw err;
        }
        raisedAt = 'nowhere before the commit';
      }),
      (err: { code?: string }) => err.code === '23503',
    );
    assert.equal(raisedAt, 'the insert');
  });

  it('raises a write’s error at the write, where the caller can see it', async () => {
    let raisedAt: string | undefined;
    await assert.rejects(
      withPlatform(test.database, async (tx) => {
        await insert(tx, 1);
        try {
          await insert(tx, 1);
        } catch (err) {
          raisedAt = 'the second insert';
          throw err;
        }
        raisedAt = 'nowhere before the commit';
      }),
      (err: { code?: string }) => err.code === '23505',
    );
    assert.equal(raisedAt, 'the second insert');
    assert.deepEqual(await committed(1, 1), [], 'the first insert rolled back with it');
  });

  it('commits nothing when the caller fails after its writes, and leaves every connection clean', async () => {
    await assert.rejects(
      withPlatform(test.database, async (tx) => {
        await insert(tx, 10);
        throw new Error('the caller gave up');
      }),
      /the caller gave up/,
    );
    // Every pooled connection is usable and outside any transaction.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => withPlatform(test.database, (tx) => insert(tx, 20 + i))),
    );
    assert.deepEqual(await committed(10, 10), []);
    assert.equal((await committed(20, 31)).length, 12);
  });
});
