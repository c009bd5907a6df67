import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as OTPAuth from 'otpauth';
import { createMfaService, type MfaUser, totpCode } from '../src/auth/mfa/index.ts';
import { createIdentityService } from '../src/identity/index.ts';
import { fixedClock, operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { asOwner } from './support/database.ts';

describe('MFA: TOTP and recovery codes', () => {
  const clock = fixedClock(new Date('2026-07-01T10:00:00Z'));
  let core: TestCore;
  let orgId: string;
  let user: MfaUser;
  let mfa: ReturnType<typeof createMfaService>;
  let seed: Uint8Array;
  let factorId: string;
  let recovery: string[] = [];
  const inOrg = <T>(fn: Parameters<typeof withOrg<T>>[2]) => withOrg(core.database, orgId, fn);
  const actor = () => ({ type: 'user' as const, id: user.id });
  const count = (action: string) =>
    withPlatform(
      core.database,
      async (tx) =>
        (await tx.selectFrom('audit_events').select('id').where('action', '=', action).execute())
          .length,
    );

  before(async () => {
    core = await openTestCore({ clock });
    orgId = await core.createOrg('aviato');
    const identity = createIdentityService({
      database: core.database,
      audit: core.audit.record,
      clock,
    });
    user = await inOrg((tx) =>
      identity.createUser(
        tx,
        orgId,
        { email: 'erlich@aviato.test', displayName: 'Erlich' },
        operatorActor,
      ),
    );
    mfa = createMfaService({
      audit: core.audit.record,
      clock,
      keyring: core.keyring,
      issuer: 'Vigil',
    });
  });
  after(() => core.close());

  it('enrolls TOTP with a QR URI and a confirming code; the seed is stored encrypted', async () => {
    const started = await inOrg((tx) => mfa.startTotp(tx, user));
    factorId = started.factorId;
    assert.match(started.uri, /^otpauth:\/\/totp\/Vigil:erlich%40aviato\.test\?.*secret=/);
    seed = new Uint8Array(OTPAuth.Secret.fromBase32(started.secret).buffer);
    assert.equal(seed.length, 20);
    const [row] = await asOwner<{ secret_enc: string }>(
      core.database,
      'SELECT secret_enc FROM mfa_factors WHERE id = $1',
      [factorId],
    );
    assert.match(row?.secret_enc ?? '', /^v1:\d+:/);
    assert.ok(!row?.secret_enc.includes(started.secret));
    assert.equal(await inOrg((tx) => mfa.hasFactor(tx, user.id)), false, 'pending until confirmed');
    await assert.rejects(
      inOrg((tx) => mfa.confirmTotp(tx, user, factorId, '000000', actor())),
      /not valid/,
    );
    const confirmed = await inOrg((tx) =>
      mfa.confirmTotp(tx, user, factorId, totpCode(seed, clock.now()), actor()),
    );
    recovery = confirmed.recoveryCodes ?? [];
    assert.equal(recovery.length, 10);
    assert.ok(recovery.every((c) => /^[0-9A-Z]{5}-[0-9A-Z]{5}$/.test(c)));
    assert.equal(new Set(recovery).size, 10);
    assert.equal(await inOrg((tx) => mfa.hasFactor(tx, user.id)), true);
    assert.equal(await count('mfa.factor.enrolled'), 1);
    const hashes = await asOwner<{ hash: string }>(
      core.database,
      'SELECT hash FROM recovery_codes WHERE user_id = $1',
      [user.id],
    );
    assert.ok(
      hashes.every(
        (h) => h.hash.startsWith('$argon2id$') && !recovery.some((c) => h.hash.includes(c)),
      ),
    );
  });

  it('never accepts the same time step twice', async () => {
    clock.advance(30_000);
    const code = totpCode(seed, clock.now());
    assert.equal(await inOrg((tx) => mfa.verifyTotp(tx, user, code)), true);
    assert.equal(
      await inOrg((tx) => mfa.verifyTotp(tx, user, code)),
      false,
      'replay within the step',
    );
    clock.advance(10_000);
    assert.equal(
      await inOrg((tx) => mfa.verifyTotp(tx, user, code)),
      false,
      'replay later in the step',
    );
    clock.advance(30_000);
    assert.equal(await inOrg((tx) => mfa.verifyTotp(tx, user, totpCode(seed, clock.now()))), true);
    assert.equal(await inOrg((tx) => mfa.verifyTotp(tx, user, '123456')), false);
  });

  it('accepts each recovery code once and audits each use', async () => {
    const [first, second] = recovery;
    assert.equal(
      await inOrg((tx) =>
        mfa.useRecoveryCode(tx, user, (first ?? '').toLowerCase().replace('-', ' '), actor()),
      ),
      true,
    );
    assert.equal(await inOrg((tx) => mfa.useRecoveryCode(tx, user, first ?? '', actor())), false);
    assert.equal(await inOrg((tx) => mfa.remainingRecoveryCodes(tx, user.id)), 9);
    const regenerated = await inOrg((tx) => mfa.regenerateRecoveryCodes(tx, user, actor()));
    assert.equal(regenerated.length, 10);
    assert.equal(
      await inOrg((tx) => mfa.useRecoveryCode(tx, user, second ?? '', actor())),
      false,
      'old codes are void',
    );
    assert.equal(
      await inOrg((tx) => mfa.useRecoveryCode(tx, user, regenerated[0] ?? '', actor())),
      true,
    );
    assert.equal(await count('mfa.recovery_code.used'), 2);
    assert.equal(await count('mfa.recovery_codes.generated'), 2);
  });

  it('refuses to remove the last factor while MFA is required', async () => {
    await assert.rejects(
      inOrg((tx) => mfa.removeFactor(tx, user, factorId, true, actor())),
      (err: Error & { code?: string }) => err.code === 'mfa.last_factor',
    );
    await inOrg((tx) => mfa.removeFactor(tx, user, factorId, false, actor()));
    assert.equal(await inOrg((tx) => mfa.hasFactor(tx, user.id)), false);
    assert.equal(await count('mfa.factor.removed'), 1);
  });

  it('keeps the MFA requirement as a versioned organization policy', async () => {
    assert.deepEqual((await inOrg((tx) => mfa.policy(tx, orgId))).policy, {
      required: false,
      gracePeriodDays: null,
    });
    await inOrg((tx) =>
      mfa.setPolicy(tx, orgId, { required: true, gracePeriodDays: 7 }, operatorActor),
    );
    assert.deepEqual((await inOrg((tx) => mfa.policy(tx, orgId))).policy, {
      required: true,
      gracePeriodDays: 7,
    });
    assert.equal(await count('policy.mfa.changed'), 1);
  });
});
