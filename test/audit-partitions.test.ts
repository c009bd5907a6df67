import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openCore } from '../src/app/core.ts';
import {
  createAuditArchiver,
  createRetentionPolicy,
  directoryArchiveStore,
  exportEvents,
  feedStart,
  readFeed,
  sealAll,
  verifyAuditLog,
} from '../src/audit/index.ts';
import { generateMasterKeyBase64 } from '../src/crypto/index.ts';
import {
  createLogger,
  fixedClock,
  listMigrations,
  loadConfig,
  migrate,
  platformOrgId,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, sealEverything, type TestCore } from './support/core.ts';
import { asOwner, openTestDatabase } from './support/database.ts';

const tableOf = async (core: Pick<TestCore, 'database'>, id: string) =>
  (
    await asOwner<{ t: string }>(
      core.database,
      'SELECT tableoid::regclass::text AS t FROM audit_events WHERE id = $1',
      [id],
    )
  )[0]?.t;

describe('audit_events partitioned by month (migration 0023)', () => {
  it('keeps every row, its place in the chain and its MAC, and the chain verifies', async () => {
    const test = await openTestDatabase({ migrate: false });
    const before23 = (await listMigrations()).filter((m) => m.version < 23);
    await test.database.ownerTransaction(async (session) => {
      await session.script(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`);
      for (const m of before23) {
        await session.script(m.sql);
        await session.query(
          'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
          [m.version, m.name, m.checksum],
        );
      }
    });
    const clock = fixedClock(new Date('2026-10-20T08:00:00Z'));
    const config = loadConfig({
      VIGIL_ENV: 'test',
      VIGIL_MASTER_KEY: generateMasterKeyBase64(),
      VIGIL_DATA_DIR: '/nonexistent-vigil-test-dir',
      VIGIL_AUDIT_BLOCK_SIZE: '5',
    }).config;
    const core = await openCore({
      config,
      logger: createLogger('silent'),
      clock,
      database: test.database,
      migrate: false,
    });
    try {
      for (let i = 0; i < 7; i++) {
        await core.audit.append({
          orgId: platformOrgId,
          action: 'auth.login.failed',
          details: { i },
        });
        clock.advance(6 * 86_400_000);
      }
      await sealAll(core.sealer);
      const rows = `SELECT id, seq::text, tx::text, encode(mac, 'hex') AS mac FROM audit_events ORDER BY seq`;
      const before = await asOwner(core.database, rows);
      assert.ok(before.length >= 7);
      assert.deepEqual(
        await migrate(core.database),
        (await listMigrations()).filter((m) => m.version >= 23).map((m) => m.name),
      );
      assert.deepEqual(
        await asOwner(core.database, rows),
        before,
        'the same rows, seq, tx and MACs',
      );
      const [kind] = await asOwner<{ relkind: string }>(
        core.database,
        `SELECT relkind FROM pg_class WHERE relname = 'audit_events'`,
      );
      assert.equal(kind?.relkind, 'p');
      const report = await verifyAuditLog(core);
      assert.deepEqual(report.findings, []);
      assert.equal(report.events, before.length);
      // New events follow on: seq continues, the sealer extends the same chain.
      await core.audit.append({ orgId: platformOrgId, action: 'auth.login.failed' });
      await sealAll(core.sealer);
      const last = await asOwner<{ seq: string }>(
        core.database,
        'SELECT max(seq)::text AS seq FROM audit_events',
      );
      assert.ok(BigInt(last[0]?.seq ?? '0') > BigInt(before[before.length - 1]?.seq as string));
      const after = await verifyAuditLog(core);
      assert.deepEqual(after.findings, []);
      assert.equal(after.events, before.length + 1);
    } finally {
      await core.close();
      await test.close();
    }
  });
});

describe('audit partitions at run time', () => {
  const clock = fixedClock(new Date('2031-05-10T12:00:00Z'));
  let core: TestCore;
  let orgId: string;

  before(async () => {
    core = await openTestCore({ clock });
    orgId = await core.createOrg('partco');
  });
  after(() => core.close());

  const archiver = () =>
    createAuditArchiver({
      database: core.database,
      keys: core.keys,
      clock,
      audit: core.audit.record,
      store: directoryArchiveStore('/nonexistent-vigil-archive'),
      sealer: core.sealer,
      hotDays: 90,
      retentionDays: 400,
      retention: createRetentionPolicy({ audit: core.audit.record, clock }),
    });
  const lastEventId = async () =>
    (await withOrg(core.database, orgId, (tx) => core.audit.query(tx, { limit: 1 }))).events[0]
      ?.id ?? '';

  it('creates the current month through three ahead; events land in their month', async () => {
    assert.equal(await archiver().ensurePartitions(), 4);
    assert.equal(await archiver().ensurePartitions(), 0, 'once');
    await core.audit.append({ orgId, action: 'auth.login.failed' });
    assert.equal(await tableOf(core, await lastEventId()), 'audit_events_p203105');
  });

  it('catches events of months without a partition in the default one, and moves them out', async () => {
    clock.set(new Date('2035-02-02T00:00:00Z'));
    await core.audit.append({ orgId, action: 'auth.login.failed', details: { stray: true } });
    const id = await lastEventId();
    assert.equal(await tableOf(core, id), 'audit_events_default');
    await archiver().ensurePartitions();
    assert.equal(await tableOf(core, id), 'audit_events_p203502');
    // The log reads as before: query, feed, export, verification.
    const { report } = await sealEverything(core);
    assert.deepEqual(report.findings, []);
    const feed = await withPlatform(core.database, (tx) => readFeed(tx, feedStart, 10_000));
    assert.ok(feed.events.some((e) => e.id === id));
    let exported = '';
    for await (const chunk of exportEvents(core.database, { format: 'jsonl', orgId }))
      exported += chunk;
    assert.ok(exported.includes(id));
  });

  it('rejects DELETE and TRUNCATE through the parent and on a partition, even for the owner', async () => {
    for (const statement of [
      'DELETE FROM audit_events',
      'DELETE FROM audit_events_p203105',
      'UPDATE audit_events_p203502 SET action = action',
      'TRUNCATE audit_events',
      'TRUNCATE audit_events_p203105',
      'TRUNCATE audit_events_default',
    ])
      await assert.rejects(asOwner(core.database, statement), /append-only/, statement);
  });

  it('lets no application role drop a month, create one, or read archives it should not', async () => {
    await assert.rejects(
      withPlatform(core.database, (tx) =>
        sql`SELECT vigil_audit_drop_month('2031-05-01'::date)`.execute(tx),
      ),
      /no archive/,
    );
    await assert.rejects(
      withOrg(core.database, orgId, (tx) =>
        sql`SELECT vigil_audit_ensure_partitions('2040-01-01'::date, 1)`.execute(tx),
      ),
      /permission denied/,
    );
    await assert.rejects(
      withOrg(core.database, orgId, (tx) => sql`SELECT * FROM audit_archives`.execute(tx)),
      /permission denied/,
    );
    await assert.rejects(
      withPlatform(core.database, (tx) => sql`DROP TABLE audit_events_p203105`.execute(tx)),
      /must be owner|permission denied/,
    );
  });
});
