import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openCore } from '../src/app/core.ts';
import { exportEvents, sealAll, startSealer, verifyAuditLog } from '../src/audit/index.ts';
import {
  type AuditAction,
  createLogger,
  newId,
  platformOrgId,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { openTestCore, sealEverything, type TestCore } from './support/core.ts';
import { asOwner } from './support/database.ts';

/**
 * Actions outside the catalog: these tests exercise the log itself, which stores whatever it is
 * given, and need actions no other part of Vigil records.
 */
const testAction = (action: string) => action as AuditAction;

describe('audit log', () => {
  let core: TestCore;
  let orgId: string;

  before(async () => {
    core = await openTestCore();
    orgId = await core.createOrg('initech');
  });
  after(() => core.close());

  const countEvents = (action: string) =>
    withPlatform(core.database, async (tx) =>
      Number(
        (
          await tx
            .selectFrom('audit_events')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('action', '=', action)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );

  it('writes the change and its event in one transaction: both or neither', async () => {
    await assert.rejects(
      withOrg(core.database, orgId, async (tx) => {
        await tx
          .updateTable('organizations')
          .set({ name: 'Initrode' })
          .where('id', '=', orgId)
          .execute();
        await core.audit.record(tx, {
          orgId,
          action: testAction('org.renamed'),
          details: { name: 'Initrode' },
        });
        throw new Error('the rest of the change failed');
      }),
      /the rest of the change failed/,
    );
    assert.equal(await countEvents('org.renamed'), 0);
    // And a refused event takes the change down with it (fail closed).
    await assert.rejects(
      withOrg(core.database, orgId, async (tx) => {
        await tx
          .updateTable('organizations')
          .set({ name: 'Initrode' })
          .where('id', '=', orgId)
          .execute();
        await core.audit.record(tx, { orgId: 'not-an-org', action: testAction('org.renamed') });
      }),
    );
    const org = await withOrg(core.database, orgId, (tx) =>
      tx.selectFrom('organizations').select('name').executeTakeFirstOrThrow(),
    );
    assert.equal(org.name, 'initech');
  });

  it("inserts a transaction's events together as it commits, in order; a refused insert undoes the change", async () => {
    const otherOrg = await core.createOrg('initrode');
    const seen = await withOrg(core.database, orgId, async (tx) => {
      await core.audit.record(tx, { orgId, action: testAction('org.batch_first') });
      await core.audit.recordMany(tx, [
        { orgId, action: testAction('org.batch_second') },
        { orgId, action: testAction('org.batch_third') },
      ]);
      const { rows } = await sql<{ n: string }>`
        SELECT count(*) AS n FROM audit_events WHERE action LIKE 'org.batch_%'`.execute(tx);
      return Number(rows[0]?.n);
    });
    assert.equal(seen, 0, 'nothing is inserted before the commit');
    const order = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('action')
        .where('action', 'like', 'org.batch_%')
        .orderBy('seq')
        .execute(),
    );
    assert.deepEqual(
      order.map((r) => r.action),
      ['org.batch_first', 'org.batch_second', 'org.batch_third'],
    );
    // Row-level security refuses an event of another organization only when the batch is
    // inserted, at commit: the change recorded with it must not survive.
    await assert.rejects(
      withOrg(core.database, orgId, async (tx) => {
        await tx
          .updateTable('organizations')
          .set({ name: 'Renamed' })
          .where('id', '=', orgId)
          .execute();
        await core.audit.record(tx, { orgId: otherOrg, action: testAction('org.renamed') });
      }),
      /row-level security/,
    );
    const org = await withOrg(core.database, orgId, (tx) =>
      tx.selectFrom('organizations').select('name').executeTakeFirstOrThrow(),
    );
    assert.equal(org.name, 'initech');
  });

  it('never stores secrets in details', async () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    await withOrg(core.database, orgId, (tx) =>
      core.audit.record(tx, {
        orgId,
        action: testAction('test.secrets'),
        details: {
          password: 'hunter2hunter2',
          newPassword: 'Correct-Horse-9',
          clientSecret: 's3cr3t-value',
          nested: { refresh_token: 'rt-123', otpCode: '123456', keep: 'visible' },
          header: 'Bearer abc.def',
          idToken: jwt,
          note: jwt,
          pem: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----',
          keyId: 3,
          status_code: 401,
        },
      }),
    );
    const stored = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'test.secrets')
        .executeTakeFirstOrThrow(),
    );
    for (const secret of [
      'hunter2hunter2',
      'Correct-Horse-9',
      's3cr3t-value',
      'rt-123',
      '123456',
      'abc.def',
      jwt,
      'MIIB',
    ]) {
      assert.ok(!stored.details.includes(secret), `secret ${secret} reached the audit log`);
    }
    const details = JSON.parse(stored.details);
    assert.equal(details.nested.keep, 'visible');
    assert.equal(details.keyId, 3);
    assert.equal(details.status_code, 401);
    assert.equal(details.password, '[redacted]');
  });

  it('is append-only for the application role', async () => {
    const event = await withOrg(core.database, orgId, (tx) =>
      tx.selectFrom('audit_events').select('id').executeTakeFirstOrThrow(),
    );
    await assert.rejects(
      withOrg(core.database, orgId, (tx) =>
        tx.updateTable('audit_events').set({ details: '{}' }).where('id', '=', event.id).execute(),
      ),
      /permission denied/,
    );
    await assert.rejects(
      withPlatform(core.database, (tx) =>
        tx.deleteFrom('audit_events').where('id', '=', event.id).execute(),
      ),
      /permission denied/,
    );
    await assert.rejects(
      withPlatform(core.database, (tx) => sql`TRUNCATE audit_events`.execute(tx)),
      /permission denied/,
    );
    const grants = await withPlatform(core.database, (tx) =>
      sql<{ privilege: string; granted: boolean }>`
        SELECT p AS privilege, has_table_privilege('vigil_app', 'audit_events', p) AS granted
        FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) AS p`.execute(tx),
    );
    assert.deepEqual(Object.fromEntries(grants.rows.map((r) => [r.privilege, r.granted])), {
      SELECT: true,
      INSERT: true,
      UPDATE: false,
      DELETE: false,
      TRUNCATE: false,
    });
    // Even the owner is stopped by the triggers.
    await assert.rejects(
      asOwner(core.database, 'UPDATE audit_events SET details = $1', ['{}']),
      /append-only/,
    );
    await assert.rejects(asOwner(core.database, 'DELETE FROM audit_events'), /append-only/);
    await assert.rejects(asOwner(core.database, 'TRUNCATE audit_seal_blocks'), /append-only/);
  });

  it('seals every event, with nothing lost, while writers run concurrently', async () => {
    const sealer = startSealer({ ...core.sealer, intervalMs: 20, logger: createLogger('silent') });
    const before = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    await Promise.all(
      Array.from({ length: 8 }, (_, w) =>
        (async () => {
          for (let i = 0; i < 25; i++) {
            if (i % 2 === 0)
              await core.audit.append({
                orgId,
                action: testAction('test.concurrent'),
                details: { w, i },
              });
            else
              await withOrg(core.database, orgId, (tx) =>
                core.audit.record(tx, {
                  orgId,
                  action: testAction('test.concurrent'),
                  details: { w, i },
                }),
              );
          }
        })(),
      ),
    );
    await sealer.stop();
    const { report } = await sealEverything(core);
    assert.deepEqual(report.findings, []);
    assert.equal(report.pending, 0);
    assert.equal(report.events, Number(before.n) + 200);
    assert.equal(await countEvents('test.concurrent'), 200);
  });

  it('a node that crashed before sealing leaves nothing unsealed: the next start seals it', async () => {
    for (let i = 0; i < 30; i++) {
      await withOrg(core.database, orgId, (tx) =>
        core.audit.record(tx, { orgId, action: testAction('test.before_crash'), details: { i } }),
      );
    }
    // A second node (or the restarted one) on the same database.
    const restarted = await openCore({
      config: core.config,
      logger: createLogger('silent'),
      database: core.database,
      migrate: false,
    });
    const { sealed, report } = await sealEverything(restarted);
    assert.ok(sealed >= 30);
    assert.equal(report.ok, true);
    assert.equal(report.pending, 0);
  });

  it('several nodes sealing at once extend one chain without conflict', async () => {
    const nodes = await Promise.all(
      [1, 2, 3].map(() =>
        openCore({
          config: core.config,
          logger: createLogger('silent'),
          database: core.database,
          migrate: false,
        }),
      ),
    );
    const writing = Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        core.audit.append({ orgId, action: testAction('test.multi_node'), details: { i } }),
      ),
    );
    const sealing = Promise.all(
      nodes.map(async (node) => {
        for (let round = 0; round < 10; round++) await sealAll(node.sealer);
      }),
    );
    await Promise.all([writing, sealing]);
    const { report } = await sealEverything(core);
    assert.deepEqual(report.findings, []);
    assert.equal(report.pending, 0);
  });

  it('queries by actor, target, action and time, newest first, with a cursor', async () => {
    const actor = { type: 'user' as const, id: newId(), ip: '203.0.113.9' };
    for (let i = 0; i < 7; i++) {
      await withOrg(core.database, orgId, (tx) =>
        core.audit.record(tx, {
          orgId,
          action: i % 2 ? 'auth.login.failed' : 'auth.login.succeeded',
          actor,
          target: { type: 'user', id: `u-${i % 3}` },
        }),
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await withOrg(core.database, orgId, (tx) =>
        core.audit.query(tx, { actorId: actor.id, limit: 3, cursor }),
      );
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
    assert.deepEqual([...seen].sort().reverse(), seen, 'newest first');
    const failed = await withOrg(core.database, orgId, (tx) =>
      core.audit.query(tx, { action: 'auth.login.failed', actorId: actor.id }),
    );
    assert.equal(failed.events.length, 3);
    const prefix = await withOrg(core.database, orgId, (tx) =>
      core.audit.query(tx, { action: 'auth.login.*', targetId: 'u-0' }),
    );
    assert.equal(prefix.events.length, 3);
    const future = await withOrg(core.database, orgId, (tx) =>
      core.audit.query(tx, { actorId: actor.id, from: new Date(Date.now() + 60_000) }),
    );
    assert.equal(future.events.length, 0);
    // Another organization's scope sees none of them, even when asking by actor.
    const other = await withOrg(core.database, platformOrgId, (tx) =>
      core.audit.query(tx, { actorId: actor.id }),
    );
    assert.equal(other.events.length, 0);
    await assert.rejects(
      withOrg(core.database, orgId, (tx) => core.audit.query(tx, { cursor: 'garbage' })),
      (err: Error & { code?: string }) => err.code === 'audit.bad_cursor',
    );
  });

  it('exports JSON Lines and CSV, oldest first, with spreadsheet formulas defused', async () => {
    await withOrg(core.database, orgId, (tx) =>
      core.audit.record(tx, {
        orgId,
        action: testAction('test.export'),
        actor: { type: 'user', id: '=HYPERLINK("x")' },
      }),
    );
    const collect = async (format: 'jsonl' | 'csv') => {
      let text = '';
      for await (const chunk of exportEvents(core.database, { format, orgId }, 10)) text += chunk;
      return text.trimEnd().split('\n');
    };
    const jsonl = await collect('jsonl');
    const events = jsonl.map((line) => JSON.parse(line));
    assert.ok(events.every((e) => e.orgId === orgId));
    const times = events.map((e) => Date.parse(e.occurredAt));
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
    );
    const csv = await collect('csv');
    assert.equal(
      csv[0],
      'id,occurred_at,org_id,actor_type,actor_id,actor_ip,actor_user_agent,action,target_type,target_id,outcome,request_id,details',
    );
    assert.equal(csv.length, jsonl.length + 1);
    const row = csv.find((l) => l.includes('test.export'));
    assert.ok(row?.includes(`"'=HYPERLINK(""x"")"`), row);
  });
});

describe('audit tampering by a database superuser', () => {
  let core: TestCore;
  before(async () => {
    core = await openTestCore();
    for (let i = 0; i < 120; i++) {
      await withOrg(core.database, platformOrgId, (tx) =>
        core.audit.record(tx, {
          orgId: platformOrgId,
          action: testAction('test.event'),
          details: { i },
        }),
      );
    }
    await sealEverything(core);
  });
  after(() => core.close());

  const owner = (q: string, params: unknown[] = []) => asOwner(core.database, q, params);
  const ids = async (offset: number, limit: number) =>
    (
      await owner(`SELECT id FROM audit_events ORDER BY tx, seq OFFSET ${offset} LIMIT ${limit}`)
    ).map((r) => String(r.id));

  it('an intact log verifies', async () => {
    const report = await verifyAuditLog(core);
    assert.equal(report.ok, true);
    assert.equal(report.events, 124); // 120, and the first start's data key and three platform keys
    assert.ok(report.blocks >= 3);
  });

  it('names a changed event, a deleted event and a forged event', async () => {
    const [changed, deleted] = await ids(10, 2);
    await owner('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
    await owner(`UPDATE audit_events SET details = '{"i":-1}' WHERE id = $1`, [changed]);
    await owner('DELETE FROM audit_events WHERE id = $1', [deleted]);
    await owner('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    // A forged event in the sealed range, with a made-up MAC; and one at the end of the chain.
    const forgedOld = newId();
    const forgedNew = newId();
    const [first] = await owner(
      'SELECT tx::text AS tx, mac_key_id FROM audit_events ORDER BY tx, seq LIMIT 1',
    );
    for (const [id, tx] of [
      [forgedOld, String(first?.tx)],
      [forgedNew, null],
    ] as const) {
      await owner(
        `INSERT INTO audit_events (id, tx, org_id, occurred_at, actor_type, action, outcome, details, mac_key_id, mac)
         VALUES ($1, coalesce($2::bigint, pg_current_xact_id()::text::bigint), $3, now(), 'user', 'role.assigned', 'success', '{}', $4, $5)`,
        [id, tx, platformOrgId, first?.mac_key_id, Buffer.alloc(32, 1)],
      );
    }
    const { report } = await sealEverything(core);
    assert.equal(report.ok, false);
    const named = (kind: string) =>
      report.findings.filter((f) => f.kind === kind).map((f) => f.eventId);
    assert.ok(named('altered').includes(changed), 'changed event named');
    assert.deepEqual(named('deleted'), [deleted]);
    assert.ok(named('inserted').includes(forgedOld), 'event forged into the sealed range named');
    assert.ok(named('altered').includes(forgedNew), 'event forged after the chain named (bad MAC)');
  });

  it('detects a removed or rewritten seal block', async () => {
    await owner('ALTER TABLE audit_seal_blocks DISABLE TRIGGER audit_seal_blocks_no_update');
    await owner('DELETE FROM audit_seal_blocks WHERE block_no = 2');
    await owner('UPDATE audit_seal_blocks SET event_count = event_count + 1 WHERE block_no = 1');
    await owner('ALTER TABLE audit_seal_blocks ENABLE TRIGGER audit_seal_blocks_no_update');
    const report = await verifyAuditLog(core);
    const kinds = report.findings.map((f) => `${f.kind}:${f.block ?? ''}`);
    assert.ok(kinds.includes('block_missing:2..2'), kinds.join(' '));
    assert.ok(kinds.includes('block_altered:1'), kinds.join(' '));
    assert.ok(
      report.findings.some((f) => f.kind === 'inserted'),
      'events of the removed block are unsealed',
    );
  });
});
