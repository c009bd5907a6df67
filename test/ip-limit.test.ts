import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fixedClock, withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

/** Redis to test against (`.ci/run` sets it); without it, only the PostgreSQL counters run. */
const redisUrl = process.env.VIGIL_TEST_REDIS_URL;
const backends = [
  { name: 'PostgreSQL', env: {} as Record<string, string> },
  ...(redisUrl ? [{ name: 'Redis', env: { VIGIL_REDIS_URL: redisUrl } }] : []),
];

for (const backend of backends) {
  describe(`per-address sign-in limit (${backend.name} counters)`, () => {
    let core: TestCore;
    let auth: ReturnType<typeof authServices>;
    const password = 'Address-Limit-Secret-5';
    // A fresh documentation-range address per run: Redis keeps its counters between runs.
    const attacker = `198.18.${randomInt(256)}.${randomInt(256)}`;

    before(async () => {
      // The limit counts in fixed windows: a run that crossed a window's end would start counting
      // again. The clock stands seven minutes into the current hour, inside one window.
      const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
      core = await openTestCore({
        clock: fixedClock(new Date(hour + 7 * 60_000)),
        env: {
          VIGIL_SIGNIN_IP_MAX_FAILURES: '5',
          VIGIL_SIGNIN_IP_WINDOW_MINUTES: '15',
          ...backend.env,
        },
      });
      auth = authServices(core);
      const orgId = await core.createOrg('stuffed');
      await auth.createUser(orgId, 'victim@stuffed.test', password);
    });
    after(() => core.close());

    it('stops an address after N failures across accounts, even with a right password; others go on', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await auth.signIn.passwordStep(
          { email: `guess${i}@stuffed.test`, password: 'x' },
          { ip: attacker },
        );
        assert.deepEqual(r, { kind: 'failed' });
      }
      const blocked = await auth.signIn.passwordStep(
        { email: 'victim@stuffed.test', password },
        { ip: attacker },
      );
      assert.deepEqual(blocked, { kind: 'failed' });
      const events = await withPlatform(core.database, (tx) =>
        tx
          .selectFrom('audit_events')
          .select('details')
          .where('action', '=', 'auth.login.failed')
          .where('actor_ip', '=', attacker)
          .execute(),
      );
      assert.equal(events.filter((e) => JSON.parse(e.details).reason === 'ip_limited').length, 1);
      const other = await auth.signIn.passwordStep(
        { email: 'victim@stuffed.test', password },
        { ip: '192.0.2.77' },
      );
      assert.equal(other.kind, 'signed_in');
      if (backend.name === 'Redis') {
        const rows = await withPlatform(core.database, (tx) =>
          tx.selectFrom('auth_ip_failures').select('ip').where('ip', '=', attacker).execute(),
        );
        assert.equal(rows.length, 0, 'kept in Redis, not in PostgreSQL');
      }
    });
  });
}
