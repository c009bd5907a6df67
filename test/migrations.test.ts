import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listMigrations, migrate, openDatabase, pendingMigrations } from '../src/platform/index.ts';
import { asOwner, openTestDatabase } from './support/database.ts';

describe('migrations', () => {
  it('apply once even when several nodes start at the same time', async () => {
    const test = await openTestDatabase({ migrate: false });
    // Three "nodes" on the same database (PGlite: one instance, the same code path).
    const nodes = test.ownerUrl
      ? await Promise.all(
          [1, 2, 3].map(() =>
            openDatabase({ databaseUrl: test.ownerUrl, dataDir: 'unused', poolSize: 2 }),
          ),
        )
      : [test.database];
    try {
      const results = await Promise.all([...nodes, ...nodes].map((db) => migrate(db)));
      const applied = results.flat();
      assert.deepEqual(
        applied,
        (await listMigrations()).map((m) => m.name),
        'each applied exactly once',
      );
      assert.deepEqual(await pendingMigrations(test.database), []);
      const ledger = await asOwner(
        test.database,
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      assert.deepEqual(
        ledger,
        (await listMigrations()).map((m) => ({ version: m.version, name: m.name })),
      );
    } finally {
      if (test.ownerUrl) await Promise.all(nodes.map((n) => n.close()));
      await test.close();
    }
  });

  it('refuse to run when an applied migration was edited', async () => {
    const test = await openTestDatabase();
    try {
      await asOwner(
        test.database,
        "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1",
      );
      await assert.rejects(
        migrate(test.database),
        /changed after it was applied; migrations are forward-only/,
      );
    } finally {
      await test.close();
    }
  });

  it('refuse to run against a database from a newer version', async () => {
    const test = await openTestDatabase();
    try {
      await asOwner(
        test.database,
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_future', 'x')",
      );
      await assert.rejects(
        migrate(test.database),
        /migrations this version does not know \(9999\)/,
      );
    } finally {
      await test.close();
    }
  });
});
