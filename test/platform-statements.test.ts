import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { platformStatement } from '../src/platform/index.ts';
import {
  asOwner,
  openTestDatabase,
  type TestDatabase,
  testDatabaseUrl,
} from './support/database.ts';

describe('platform statements (ADR 0007)', () => {
  let test: TestDatabase;
  before(async () => {
    test = await openTestDatabase();
  });
  after(() => test.close());

  const whoAmI = () =>
    platformStatement(test.database, async (db) => {
      const { rows } = await sql<{ role: string }>`SELECT current_user AS role`.execute(db);
      return rows[0]?.role;
    });

  it('run as the platform role, which row-level security lets see every organization', async () => {
    assert.equal(await whoAmI(), 'vigil_platform');
  });

  it('survive PostgreSQL dropping their idle connections', { skip: !testDatabaseUrl }, async () => {
    assert.equal(await whoAmI(), 'vigil_platform');
    await asOwner(
      test.database,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    // An unhandled pool 'error' would have ended this process; the next statement reconnects.
    assert.equal(await whoAmI(), 'vigil_platform');
  });
});
