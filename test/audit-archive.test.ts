import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type AuditArchiver,
  archiveNames,
  checkContinuity,
  checkMonth,
  createAuditArchiver,
  createRetentionPolicy,
  directoryArchiveStore,
  readArchive,
  verifyAuditLog,
} from '../src/audit/index.ts';
import {
  fixedClock,
  operatorActor,
  platformOrgId,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, sealEverything, type TestCore } from './support/core.ts';
import { asOwner } from './support/database.ts';

describe('audit archives', () => {
  const clock = fixedClock(new Date('2026-01-10T09:00:00Z'));
  let core: TestCore;
  let dir: string;
  let orgId: string;
  let archiver: AuditArchiver;
  let retention: ReturnType<typeof createRetentionPolicy>;
  const januaryIds: string[] = [];

  const append = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await core.audit.append({
        orgId,
        action: 'auth.login.failed',
        outcome: 'failure',
        details: { n: i },
      });
      clock.advance(60_000);
    }
  };
  const partitionOf = async (month: string) =>
    (
      await asOwner<{ name: string | null }>(
        core.database,
        `SELECT to_regclass($1)::text AS name`,
        [`audit_events_p${month.replace('-', '')}`],
      )
    )[0]?.name ?? null;
  const orgEvents = (from: string, to: string) =>
    withOrg(core.database, orgId, (tx) =>
      core.audit.query(tx, { from: new Date(from), to: new Date(to), limit: 1000 }),
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-archive-'));
    core = await openTestCore({ clock });
    orgId = await core.createOrg('archiveco');
    await append(12);
    januaryIds.push(...(await orgEvents('2026-01-01', '2026-02-01')).events.map((e) => e.id));
    clock.set(new Date('2026-02-03T10:00:00Z'));
    await append(8);
    clock.set(new Date('2026-03-15T10:00:00Z'));
    await append(5);
    await sealEverything(core);
    retention = createRetentionPolicy({ audit: core.audit.record, clock });
    archiver = createAuditArchiver({
      database: core.database,
      keys: core.keys,
      clock,
      audit: core.audit.record,
      store: directoryArchiveStore(dir),
      sealer: core.sealer,
      hotDays: 90,
      retentionDays: 400,
      retention,
    });
  });
  after(async () => {
    await core.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('archives the months past the hot period, drops their partitions, and the live log still verifies', async () => {
    clock.set(new Date('2026-06-05T08:00:00Z'));
    const round = await archiver.round(operatorActor);
    assert.deepEqual(round?.archived, ['2026-01', '2026-02']);
    assert.equal(await partitionOf('2026-01'), null, 'the January partition is gone');
    assert.equal(await partitionOf('2026-02'), null);
    assert.equal((await orgEvents('2026-01-01', '2026-03-01')).events.length, 0);
    assert.equal((await orgEvents('2026-03-01', '2026-04-01')).events.length, 5, 'March stays');
    const files = await stat(join(dir, archiveNames('2026-01').events));
    assert.equal(files.mode & 0o777, 0o600);
    const rows = await archiver.list();
    assert.deepEqual(
      rows.map((r) => [r.month, r.status, r.event_count > 0]),
      [
        ['2026-01', 'dropped', true],
        ['2026-02', 'dropped', true],
      ],
    );
    assert.ok(rows[0]?.org_ids.includes(orgId));
    const { report } = await sealEverything(core);
    assert.deepEqual(report.findings, []);
    assert.ok(report.archived >= 20, 'the archived events are accounted for, not deleted');
    const actions = await withPlatform(core.database, (tx) =>
      core.audit.query(tx, { orgId: platformOrgId, action: 'audit.*', limit: 50 }),
    );
    const names = actions.events.map((e) => e.action);
    assert.equal(names.filter((a) => a === 'audit.archived').length, 2);
    assert.equal(names.filter((a) => a === 'audit.partition.dropped').length, 2);
  });

  it('verifies archives offline, across months, and names an event changed in the file', async () => {
    const store = directoryArchiveStore(dir);
    const january = await readArchive(store, '2026-01');
    const february = await readArchive(store, '2026-02');
    assert.deepEqual(january.findings, []);
    assert.deepEqual(february.findings, []);
    assert.ok(january.manifest && february.manifest);
    assert.deepEqual(checkContinuity(january.manifest, february.manifest), []);
    assert.deepEqual(await archiver.continuesIntoLive(february.manifest), []);

    const path = join(dir, archiveNames('2026-01').events);
    const original = await readFile(path);
    const lines = gunzipSync(original).toString('utf8').split('\n');
    const target = januaryIds[3] ?? '';
    const index = lines.findIndex((l) => l.includes(target));
    assert.ok(index >= 0);
    lines[index] = (lines[index] ?? '').replace('"auth.login.failed"', '"auth.login.failef"');
    await writeFile(path, gzipSync(Buffer.from(lines.join('\n'))));
    const manifestBytes = await readFile(join(dir, archiveNames('2026-01').manifest));
    const tampered = checkMonth('2026-01', manifestBytes, await readFile(path));
    assert.ok(
      tampered.findings.some((f) => f.eventId === target && f.message.includes(target)),
      'the changed event is named',
    );
    await assert.rejects(archiver.restore('2026-01', operatorActor), {
      code: 'audit.archive.invalid',
    });
    await writeFile(path, original);
  });

  it('restores a month as it was; live verification checks it; the next round drops it again', async () => {
    const restored = await archiver.restore('2026-01', operatorActor);
    assert.ok(restored.events >= 12);
    const back = await orgEvents('2026-01-01', '2026-02-01');
    assert.deepEqual(back.events.map((e) => e.id).sort(), [...januaryIds].sort());
    const { report } = await sealEverything(core);
    assert.deepEqual(report.findings, []);
    await assert.rejects(archiver.restore('2026-01', operatorActor), {
      code: 'audit.archive.not_dropped',
    });
    const round = await archiver.round(operatorActor);
    assert.ok(round?.archived.includes('2026-01'));
    assert.equal(await partitionOf('2026-01'), null);
    assert.equal((await archiver.list())[0]?.status, 'dropped');
    assert.deepEqual((await verifyAuditLog(core)).findings, []);
  });

  it('refuses a retention below the floor of 365 days', async () => {
    await assert.rejects(
      withPlatform(core.database, (tx) =>
        retention.change(tx, orgId, { retentionDays: 300 }, operatorActor),
      ),
      (err: Error & { code?: string }) =>
        err.code === 'policy.invalid' && /at least 365/.test(err.message),
    );
  });

  it('keeps a month under legal hold; purges oldest first once released; the rest verifies', async () => {
    await withPlatform(core.database, (tx) =>
      retention.hold(tx, orgId, 'litigation 2027-17', operatorActor),
    );
    clock.set(new Date('2027-03-20T00:00:00Z'));
    const held = await archiver.purge(operatorActor);
    assert.deepEqual(held?.purged, []);
    assert.deepEqual(held?.held, { month: '2026-01', orgIds: [orgId] });
    assert.ok(await directoryArchiveStore(dir).exists(archiveNames('2026-01').events));
    // The next round is held again, but the hold is recorded once.
    assert.deepEqual((await archiver.purge(operatorActor))?.held, held?.held);
    const holds = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'audit.purge.held')
        .execute(),
    );
    assert.equal(holds.length, 1);

    await withPlatform(core.database, (tx) => retention.release(tx, orgId, operatorActor));
    const purge = await archiver.purge(operatorActor);
    // January is past 400 days; February (ends 2026-03-01) is not yet.
    assert.deepEqual(purge?.purged, ['2026-01']);
    const rows = await archiver.list();
    assert.equal(rows[0]?.status, 'purged');
    assert.ok(rows[0]?.last_chain_hash, 'the anchor of the next month stays recorded');
    assert.equal(await directoryArchiveStore(dir).exists(archiveNames('2026-01').events), false);
    const february = await readArchive(directoryArchiveStore(dir), '2026-02');
    assert.deepEqual(february.findings, []);
    assert.equal(
      february.manifest?.anchor === Buffer.from(rows[0]?.last_chain_hash ?? []).toString('hex') ||
        february.manifest?.blocks[0]?.blockNo === rows[0]?.last_block,
      true,
    );
    assert.deepEqual((await verifyAuditLog(core)).findings, []);
  });
});
