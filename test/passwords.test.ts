import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hash } from '@node-rs/argon2';
import {
  commonPasswordCount,
  createPasswordService,
  type PasswordOwner,
} from '../src/auth/password/index.ts';
import { createIdentityService } from '../src/identity/index.ts';
import { fixedClock, operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { asOwner } from './support/database.ts';

const hour = 3_600_000;

describe('passwords', () => {
  const clock = fixedClock(new Date('2026-03-01T09:00:00Z'));
  let core: TestCore;
  let orgId: string;
  let user: PasswordOwner;
  let passwords: ReturnType<typeof createPasswordService>;
  const inOrg = <T>(fn: Parameters<typeof withOrg<T>>[2]) => withOrg(core.database, orgId, fn);
  const errorOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (err) {
      return err as Error & { code?: string; details?: { problems?: string[] } };
    }
    assert.fail('expected a refusal');
  };

  before(async () => {
    core = await openTestCore({ clock });
    orgId = await core.createOrg('hooli');
    passwords = createPasswordService({ audit: core.audit.record, clock });
    const identity = createIdentityService({
      database: core.database,
      audit: core.audit.record,
      clock,
    });
    user = await inOrg((tx) =>
      identity.createUser(
        tx,
        orgId,
        { email: 'gavin@hooli.test', displayName: 'Gavin Belson' },
        operatorActor,
      ),
    );
  });
  after(() => core.close());

  it('ships an offline list of at least 100,000 common and breached passwords', () => {
    assert.ok(commonPasswordCount() >= 100_000, `${commonPasswordCount()} entries`);
  });

  it('uses soc2-baseline until an organization picks another policy; changes are versioned and audited', async () => {
    assert.deepEqual(await inOrg(async (tx) => (await passwords.policy(tx, orgId)).version), 0);
    const changed = await inOrg((tx) => passwords.setPolicy(tx, orgId, 'pci-dss-4', operatorActor));
    assert.equal(changed.version, 1);
    const custom = await inOrg((tx) =>
      passwords.setPolicy(
        tx,
        orgId,
        { ...changed.policy, preset: 'custom', history: 3 },
        operatorActor,
      ),
    );
    assert.equal(custom.version, 2);
    const [event] = await inOrg((tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'policy.password.changed')
        .orderBy('seq', 'desc')
        .limit(1)
        .execute(),
    );
    const details = JSON.parse(event?.details ?? '{}');
    assert.equal(details.before.preset, 'pci-dss-4');
    assert.equal(details.after.history, 3);
    const bad = await errorOf(
      inOrg((tx) =>
        passwords.setPolicy(tx, orgId, { ...changed.policy, minLength: 4 }, operatorActor),
      ),
    );
    assert.equal(bad.code, 'policy.invalid');
    assert.match(bad.message, /^minLength: /);
    assert.equal(
      (await errorOf(inOrg((tx) => passwords.setPolicy(tx, orgId, 'weak', operatorActor)))).code,
      'policy.unknown_preset',
    );
    await inOrg((tx) => passwords.setPolicy(tx, orgId, 'soc2-baseline', operatorActor));
    const history = await inOrg((tx) =>
      tx.selectFrom('security_policies').select('version').execute(),
    );
    assert.deepEqual(history.map((r) => r.version).sort(), [1, 2, 3]);
  });

  it('refuses common passwords and reports every broken rule at once', async () => {
    const err = await errorOf(
      inOrg((tx) =>
        passwords.set(tx, user, 'password', {
          actor: operatorActor,
          temporary: false,
          byOwner: false,
        }),
      ),
    );
    assert.equal(err.code, 'password.policy');
    const problems = err.details?.problems ?? [];
    assert.equal(problems.length, 3, problems.join(' | '));
    assert.ok(problems.some((p) => /common or breached/.test(p)));
  });

  it('refuses each of the last N passwords and accepts the one before them', async () => {
    const sequence = [
      'First-secret-pass1',
      'Second-secret-pass2',
      'Third-secret-pass3',
      'Fourth-secret-pass4',
      'Fifth-secret-pass5',
      'Sixth-secret-pass6',
    ];
    for (const password of sequence) {
      clock.advance(25 * hour);
      await inOrg((tx) =>
        passwords.set(tx, user, password, {
          actor: operatorActor,
          temporary: false,
          byOwner: true,
        }),
      );
    }
    clock.advance(25 * hour);
    // History 5: the current password and the four before it are refused...
    for (const reused of sequence.slice(1)) {
      const err = await errorOf(
        inOrg((tx) =>
          passwords.set(tx, user, reused, {
            actor: operatorActor,
            temporary: false,
            byOwner: true,
          }),
        ),
      );
      assert.match(err.message, /last 5 passwords/, reused);
    }
    // ...the sixth-newest is accepted again.
    await inOrg((tx) =>
      passwords.set(tx, user, sequence[0] ?? '', {
        actor: operatorActor,
        temporary: false,
        byOwner: true,
      }),
    );
    const changes = await inOrg((tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'user.password.changed')
        .execute(),
    );
    assert.ok(changes.length >= 6);
    assert.ok(changes.every((c) => !sequence.some((p) => c.details.includes(p))));
  });

  it('stops an owner from changing a password again within the minimum age', async () => {
    const err = await errorOf(
      inOrg((tx) =>
        passwords.set(tx, user, 'Seventh-secret-pass7', {
          actor: operatorActor,
          temporary: false,
          byOwner: true,
        }),
      ),
    );
    assert.match(err.message, /less than 24 hours ago/);
    // An administrator's reset is not held back by it.
    await inOrg((tx) =>
      passwords.set(tx, user, 'Seventh-secret-pass7', {
        actor: operatorActor,
        temporary: true,
        byOwner: false,
      }),
    );
  });

  it('verifies at sign-in: temporary and expired passwords must be changed first', async () => {
    const temp = await inOrg((tx) => passwords.verify(tx, user, 'Seventh-secret-pass7', false));
    assert.deepEqual(temp, { ok: true, mustChange: true });
    assert.deepEqual(await inOrg((tx) => passwords.verify(tx, user, 'wrong', false)), {
      ok: false,
      mustChange: false,
    });
    clock.advance(25 * hour);
    await inOrg((tx) =>
      passwords.set(tx, user, 'Eighth-secret-pass8', {
        actor: operatorActor,
        temporary: false,
        byOwner: true,
      }),
    );
    assert.deepEqual(
      await inOrg((tx) => passwords.verify(tx, user, 'Eighth-secret-pass8', false)),
      { ok: true, mustChange: false },
    );
    await inOrg((tx) => passwords.setPolicy(tx, orgId, 'pci-dss-4', operatorActor));
    clock.advance(91 * 24 * hour);
    assert.deepEqual(
      await inOrg((tx) => passwords.verify(tx, user, 'Eighth-secret-pass8', false)),
      { ok: true, mustChange: true },
    );
    // PCI expires passwords only for users without MFA.
    assert.deepEqual(await inOrg((tx) => passwords.verify(tx, user, 'Eighth-secret-pass8', true)), {
      ok: true,
      mustChange: false,
    });
  });

  it('rehashes transparently when the stored hash has older parameters', async () => {
    const old = await hash('Eighth-secret-pass8', {
      algorithm: 2,
      memoryCost: 4096,
      timeCost: 3,
      parallelism: 1,
    });
    await asOwner(core.database, 'UPDATE password_credentials SET hash = $1 WHERE user_id = $2', [
      old,
      user.id,
    ]);
    assert.equal(
      (await inOrg((tx) => passwords.verify(tx, user, 'Eighth-secret-pass8', true))).ok,
      true,
    );
    const [row] = await asOwner<{ hash: string }>(
      core.database,
      'SELECT hash FROM password_credentials WHERE user_id = $1',
      [user.id],
    );
    assert.match(row?.hash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const events = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('id')
        .where('action', '=', 'user.password.rehashed')
        .execute(),
    );
    assert.equal(events.length, 1);
  });
});
