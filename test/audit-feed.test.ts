import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { feedStart, isAfter, readFeed } from '../src/audit/index.ts';
import { type AuditEventInput, withOrg, withPlatform } from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';

describe('audit feed', () => {
  let core: TestCore;
  let orgId: string;

  before(async () => {
    core = await openTestCore();
    orgId = await core.createOrg('feedco');
  });
  after(() => core.close());

  const event = (n: number): AuditEventInput => ({
    orgId,
    action: 'auth.login.failed',
    outcome: 'failure',
    details: { n },
  });
  const read = (after = feedStart, limit = 1000) =>
    withPlatform(core.database, (tx) => readFeed(tx, after, limit));
  /**
   * Reads on from `from` until caught up; the numbered events of this test's organization. On PostgreSQL
   * the feed's horizon is server-wide (docs/audit.md): another test file's running transaction can
   * hold this file's events back for a moment, so when `expected` events are awaited this reads
   * again until they have all come, for fifteen seconds at most.
   */
  async function drain(from = feedStart, limit = 1000, expected = 0) {
    const seen: number[] = [];
    let at = from;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const page = await read(at, limit);
      for (const e of page.events)
        if (e.orgId === orgId && typeof e.details.n === 'number') seen.push(e.details.n);
      assert.ok(!isAfter(at, page.next), 'the cursor never goes back');
      at = page.next;
      if (page.events.length === limit) continue;
      if (seen.length >= expected || Date.now() > deadline) return { seen, at };
      await sleep(50);
    }
  }

  it('hands out every committed event once, in chain order, page by page', async () => {
    const start = (await drain()).at;
    for (let i = 0; i < 7; i++) await core.audit.append(event(i));
    const { seen, at } = await drain(start, 3, 7);
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual((await drain(at)).seen, [], 'nothing twice');
  });

  it('holds back events that a running transaction could still precede', async (t) => {
    if (core.database.kind === 'pglite') {
      t.skip('one connection: no transaction runs beside another');
      return;
    }
    const start = (await drain()).at;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const hasXid = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow = withOrg(core.database, orgId, async (tx) => {
      // Takes its transaction id now, before the event appended below.
      await sql`SELECT pg_current_xact_id()`.execute(tx);
      await core.audit.record(tx, event(100));
      started();
      await held;
    });
    await hasXid;
    await core.audit.append(event(101));
    const during = await drain(start);
    assert.deepEqual(during.seen, [], 'the later event waits for the earlier transaction');
    release();
    await slow;
    const { seen } = await drain(during.at, 1000, 2);
    assert.deepEqual(seen, [100, 101]);
  });
});
