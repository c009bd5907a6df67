import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { lent } from '../src/app/cli.ts';
import { openCore } from '../src/app/core.ts';
import { generateMasterKeyBase64 } from '../src/crypto/index.ts';
import {
  createLogger,
  fixedClock,
  loadConfig,
  operatorActor,
  platformOrgId,
  withPlatform,
} from '../src/platform/index.ts';
import { createTenancyService } from '../src/tenancy/index.ts';
import { runVigil } from './support/cli.ts';
import { sealEverything } from './support/core.ts';
import { asOwner, openTestDatabase, type TestDatabase } from './support/database.ts';

/**
 * The CLI runs on the real clock: events written months ago (a test clock) are past the hot
 * period for it, so `vigil audit archive` archives them.
 */
describe('vigil audit archive, archives, verify --archive, restore, retention', () => {
  const archiveDir = mkdtempSync(join(tmpdir(), 'vigil-cli-archive-'));
  const env: Record<string, string> = {
    VIGIL_ENV: 'test',
    VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')),
    VIGIL_MASTER_KEY: generateMasterKeyBase64(),
    VIGIL_AUDIT_ARCHIVE: archiveDir,
  };
  let test: TestDatabase;
  const store = {
    vigil: (args: string[]) => runVigil(args, env, test.database),
    owner: (sql: string, params: unknown[] = []) =>
      asOwner<Record<string, unknown>>(test.database, sql, params),
    audited: (action: string) =>
      asOwner(test.database, 'SELECT id FROM audit_events WHERE action = $1', [action]),
    close: () => test.close(),
  };
  let orgId = '';
  let changedId = '';

  before(async () => {
    test = await openTestDatabase();
    const clock = fixedClock(new Date('2026-03-03T12:00:00Z'));
    const core = await openCore({
      config: loadConfig(env).config,
      logger: createLogger('silent'),
      clock,
      database: lent(test.database),
    });
    try {
      const tenancy = createTenancyService({
        database: core.database,
        audit: core.audit.record,
        clock,
        platformOrgId,
      });
      orgId = await withPlatform(
        core.database,
        async (tx) =>
          (await tenancy.createOrganization(tx, { slug: 'oldco', name: 'Old Co' }, operatorActor))
            .id,
      );
      for (let i = 0; i < 6; i++) {
        await core.audit.append({
          orgId,
          action: 'auth.login.failed',
          outcome: 'failure',
          details: { i },
        });
        clock.advance(3_600_000);
      }
      // On PostgreSQL, sealing waits for the oldest transaction on the whole server (another
      // test file's): the month is archived only once every event of it is sealed.
      await sealEverything(core);
    } finally {
      await core.close();
    }
  });
  after(() => store.close());

  it('archives the old months and the live log still verifies', async () => {
    const run = await store.vigil(['audit', 'archive']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /archived and dropped: .*2026-03/);
    const list = await store.vigil(['audit', 'archives', '--json']);
    const archives = JSON.parse(list.stdout).archives as { month: string; status: string }[];
    assert.ok(archives.some((a) => a.month === '2026-03' && a.status === 'dropped'));
    const verify = await store.vigil(['audit', 'verify']);
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /audit log intact/);
  });

  it('verifies the archives offline and names a changed event (exit 1)', async () => {
    const ok = await store.vigil(['audit', 'verify', '--archive', archiveDir]);
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /chain into the live log: continues/);
    assert.match(ok.stdout, /audit archives intact/);

    const path = join(archiveDir, 'audit-2026-03.jsonl.gz');
    const original = await readFile(path);
    const lines = gunzipSync(original).toString('utf8').split('\n');
    const index = lines.findIndex((l) => l.includes('"auth.login.failed"'));
    changedId = JSON.parse(lines[index] ?? '{}').id;
    // One byte: the failed sign-in becomes a successful one.
    lines[index] = (lines[index] ?? '').replace('"outcome":"failure"', '"outcome":"fAilure"');
    await writeFile(path, gzipSync(Buffer.from(lines.join('\n'))));
    const bad = await store.vigil(['audit', 'verify', '--archive', path]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, new RegExp(`CHANGED: event ${changedId}`));
    assert.match(bad.stdout, /TAMPERING DETECTED/);
    await writeFile(path, original);
  });

  it('restores a month; live verification checks its events again', async () => {
    const run = await store.vigil(['audit', 'restore', '--month', '2026-03']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /restored \d+ events of 2026-03/);
    const rows = await store.owner('SELECT count(*)::int AS n FROM audit_events WHERE id = $1', [
      changedId,
    ]);
    assert.equal(rows[0]?.n, 1);
    const verify = await store.vigil(['audit', 'verify']);
    assert.equal(verify.code, 0, verify.stdout);
    const again = await store.vigil(['audit', 'restore', '--month', '2026-03']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /in the database already/);
    assert.equal((await store.vigil(['audit', 'restore', '--month', '2026-13'])).code, 2);
  });

  it('sets retention and legal hold per organization, refusing less than 365 days', async () => {
    const low = await store.vigil(['audit', 'retention', '--org', orgId, '--days', '300']);
    assert.equal(low.code, 1);
    assert.match(low.stderr, /at least 365/);
    const hold = await store.vigil([
      'audit',
      'retention',
      '--org',
      'oldco',
      '--days',
      '500',
      '--hold',
      'case 42',
    ]);
    assert.equal(hold.code, 0, hold.stderr);
    assert.match(hold.stdout, /500 days; legal hold: on \(case 42\)/);
    const release = await store.vigil([
      'audit',
      'retention',
      '--org',
      orgId,
      '--release',
      '--json',
    ]);
    assert.equal(JSON.parse(release.stdout).policy.legalHold, false);
    const audited = await store.audited('policy.retention.changed');
    assert.equal(audited.length, 2);
  });
});
