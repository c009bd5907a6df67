import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import * as OTPAuth from 'otpauth';
import type { StepResult } from '../src/auth/flows/index.ts';
import { totpCode } from '../src/auth/mfa/index.ts';
import type { User } from '../src/identity/index.ts';
import { fixedClock, newId, operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { recordStatements } from './support/database.ts';

const minute = 60_000;
const client = { ip: '198.51.100.23', userAgent: 'sign-in-test' };
const password = 'Stable-Genius-2026!';

describe('sign-in flow', () => {
  const clock = fixedClock(new Date('2026-08-01T09:00:00Z'));
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let orgA: string;
  let orgB: string;
  let alice: User;
  const failures = (reason: string) =>
    withPlatform(
      core.database,
      async (tx) =>
        (
          await tx
            .selectFrom('audit_events')
            .select('details')
            .where('action', '=', 'auth.login.failed')
            .execute()
        ).filter((e) => JSON.parse(e.details).reason === reason).length,
    );
  const signedIn = (r: StepResult) => {
    assert.equal(r.kind, 'signed_in', JSON.stringify(r));
    return r as Extract<StepResult, { kind: 'signed_in' }>;
  };
  const continued = (r: StepResult, stage: string) => {
    assert.equal(r.kind, 'continue', JSON.stringify(r));
    assert.equal((r as { stage: string }).stage, stage);
    return (r as Extract<StepResult, { kind: 'continue' }>).flowToken;
  };

  /** Holds every password check at the hash until `finishHash`; `restore` lets them run again. */
  const holdHashes = () => {
    const { matches } = auth.passwords;
    let hashing!: () => void;
    let finishHash!: () => void;
    const inHash = new Promise<void>((resolve) => {
      hashing = resolve;
    });
    const hashMayFinish = new Promise<void>((resolve) => {
      finishHash = resolve;
    });
    auth.passwords.matches = async (...args) => {
      hashing();
      await hashMayFinish;
      return matches(...args);
    };
    const restore = () => {
      finishHash();
      auth.passwords.matches = matches;
    };
    return { inHash, finishHash, restore };
  };

  /** Locks a user's password factor for 30 minutes, as ten failures would. */
  const lockFor30Minutes = (userId: string) =>
    withOrg(core.database, orgA, (tx) =>
      tx
        .insertInto('auth_lockouts')
        .values({
          user_id: userId,
          org_id: orgA,
          factor: 'password',
          failures: 10,
          last_failure_at: clock.now(),
          locked_until: new Date(clock.now().getTime() + 30 * minute),
          lock_count: 1,
          locked_permanently: false,
        })
        .execute(),
    );

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    orgA = await core.createOrg('acme');
    orgB = await core.createOrg('globex');
    alice = await auth.createUser(orgA, 'alice@example.test', password);
  });
  after(() => core.close());

  it('signs in with email and password: a new session with amr pwd, audited', async () => {
    const result = signedIn(
      await auth.signIn.passwordStep({ email: 'Alice@Example.test', password }, client),
    );
    assert.deepEqual(result.session.amr, ['pwd']);
    assert.equal(result.session.ip, client.ip);
    const again = signedIn(
      await auth.signIn.passwordStep({ email: 'alice@example.test', password }, client),
    );
    assert.notEqual(again.session.id, result.session.id, 'a new session id at every sign-in');
  });

  it('answers a wrong password, an unknown email and a suspended account alike', async () => {
    assert.deepEqual(
      await auth.signIn.passwordStep({ email: 'alice@example.test', password: 'nope' }, client),
      { kind: 'failed' },
    );
    assert.deepEqual(
      await auth.signIn.passwordStep({ email: 'nobody@example.test', password }, client),
      { kind: 'failed' },
    );
    const bob = await auth.createUser(orgA, 'bob@example.test', password);
    await withOrg(core.database, orgA, (tx) =>
      tx.updateTable('users').set({ status: 'suspended' }).where('id', '=', bob.id).execute(),
    );
    assert.deepEqual(
      await auth.signIn.passwordStep({ email: 'bob@example.test', password }, client),
      { kind: 'failed' },
    );
    assert.equal(await failures('bad_password'), 1);
    assert.equal(await failures('unknown_account'), 1);
    assert.equal(await failures('account_suspended'), 1);
  });

  it('does the same password-hash work for every kind of failure (no enumeration by time)', async () => {
    // Every answer below is `failed`, and each costs exactly one argon2id verification: through the
    // account's own hash, or through the equaliser hash when there is none to check.
    const calls: string[] = [];
    const { matches, verifyWithoutAccount } = auth.passwords;
    auth.passwords.matches = async (...args) => {
      calls.push('verify');
      return matches(...args);
    };
    auth.passwords.verifyWithoutAccount = async (...args) => {
      calls.push('equaliser');
      return verifyWithoutAccount(...args);
    };
    try {
      const locked = await auth.createUser(orgA, 'locked@example.test', password);
      await lockFor30Minutes(locked.id);
      const noPassword = await withOrg(core.database, orgA, (tx) =>
        auth.identity.createUser(
          tx,
          orgA,
          { email: 'nopass@example.test', displayName: 'No Pass' },
          operatorActor,
        ),
      );
      // `matches` for an account without a stored hash hands over to the equaliser: still one hash.
      const cases: [string, string, string[]][] = [
        ['alice@example.test', 'wrong-password', ['verify']],
        ['unknown@example.test', password, ['equaliser']],
        [locked.email, password, ['verify']],
        [noPassword.email, password, ['verify', 'equaliser']],
      ];
      for (const [email, pass, expected] of cases) {
        calls.length = 0;
        const result = await auth.signIn.passwordStep({ email, password: pass }, client);
        assert.deepEqual(result, { kind: 'failed' }, email);
        assert.deepEqual(calls, expected, email);
      }
    } finally {
      auth.passwords.matches = matches;
      auth.passwords.verifyWithoutAccount = verifyWithoutAccount;
    }
  });

  it('holds no database connection, transaction or lock while the password hash is computed', async () => {
    const dora = await auth.createUser(orgA, 'dora@example.test', password);
    // One failure, so that dora's lockout row exists and the step reads it `FOR UPDATE`.
    await auth.signIn.passwordStep({ email: dora.email, password: 'wrong' }, client);
    const { inHash, finishHash, restore } = holdHashes();
    try {
      const step = auth.signIn.passwordStep({ email: dora.email, password }, client);
      await inHash;
      // PGlite has one connection: were the step holding it, this transaction could only start
      // once the hash is let finish, which the timer does after 5 s (so a regression fails
      // instead of hanging). Were the step holding dora's lockout row, NOWAIT would fail at once
      // on PostgreSQL.
      let waitedForHash = false;
      const deadlock = setTimeout(() => {
        waitedForHash = true;
        finishHash();
      }, 5000);
      const row = await withOrg(core.database, orgA, (tx) =>
        sql<{ failures: number }>`
          SELECT failures FROM auth_lockouts WHERE user_id = ${dora.id} AND factor = 'password'
          FOR UPDATE NOWAIT`.execute(tx),
      );
      clearTimeout(deadlock);
      assert.equal(waitedForHash, false, 'the transaction had to wait for the hash to finish');
      assert.equal(row.rows[0]?.failures, 1);
      if (core.database.kind === 'postgres') {
        const open = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND state LIKE 'idle in transaction%'`.execute(
          core.database.db,
        );
        assert.equal(open.rows[0]?.n, 0, 'no transaction is open during the hash');
      }
      finishHash();
      signedIn(await step);
    } finally {
      restore();
    }
  });

  it('refuses the right password when the account was locked while it was being hashed', async () => {
    // The counter is read after the hash: a lock that lands during the hash must fail the
    // sign-in like a wrong password, with no session.
    const ursula = await auth.createUser(orgA, 'ursula@example.test', password);
    const { inHash, finishHash, restore } = holdHashes();
    try {
      const step = auth.signIn.passwordStep({ email: ursula.email, password }, client);
      await inHash;
      await lockFor30Minutes(ursula.id);
      finishHash();
      assert.deepEqual(await step, { kind: 'failed' });
    } finally {
      restore();
    }
    const sessions = await withOrg(core.database, orgA, (tx) =>
      tx.selectFrom('sessions').select('id').where('user_id', '=', ursula.id).execute(),
    );
    assert.equal(sessions.length, 0);
    const refusals = await withOrg(core.database, orgA, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('target_id', '=', ursula.id)
        .where('action', 'in', ['auth.login.failed', 'auth.login.succeeded', 'session.created'])
        .execute(),
    );
    assert.deepEqual(
      refusals.map((e) => [e.action, JSON.parse(e.details).reason]),
      [['auth.login.failed', 'locked']],
    );
  });

  it('sends the same statements for a locked account whatever the password, for a wrong one and for an unknown email', async () => {
    // What a branch sends is what its time is made of (docs/authentication.md#timing): a locked
    // account's right password must not take a path of its own, nor may a lock show beside a
    // wrong password on an account that is not locked.
    const lena = await auth.createUser(orgA, 'lena@example.test', password);
    const mona = await auth.createUser(orgA, 'mona@example.test', password);
    await lockFor30Minutes(lena.id);
    const statementsOf = async (email: string, pass: string, deviceTokens: string[] = []) => {
      const recording = recordStatements();
      try {
        const result = await auth.signIn.passwordStep(
          { email, password: pass },
          { ...client, deviceTokens },
        );
        assert.deepEqual(result, { kind: 'failed' }, `${email} with ${pass}`);
      } finally {
        recording.stop();
      }
      return recording.statements;
    };
    await statementsOf(lena.email, 'warm-up'); // policies and keys cached, like the rest
    const lockedWrong = await statementsOf(lena.email, 'wrong-password');
    const lockedRight = await statementsOf(lena.email, password);
    const openWrong = await statementsOf(mona.email, 'wrong-password');
    assert.ok(
      lockedWrong.some((q) => /auth_lockouts/.test(q)),
      'the counter is read',
    );
    assert.deepEqual(lockedRight, lockedWrong, 'locked: the right password takes the same path');
    assert.deepEqual(openWrong, lockedWrong, 'a wrong password: the same path, locked or not');
    // SSO required (docs/sso.md#sso-required-and-break-glass): the right password of a user
    // whose organization requires SSO is refused on the same statements, and so is a wrong one.
    const orgSso = await core.createOrg('initech');
    await withOrg(core.database, orgSso, (tx) =>
      auth.ssoPolicy.setPolicy(tx, orgSso, { required: true, mfa: 'upstream' }, operatorActor),
    );
    const ivan = await auth.createUser(orgSso, 'ivan@example.test', password);
    await statementsOf(ivan.email, 'warm-up');
    // The organization's id is the one literal that differs (its scope).
    const anyOrg = (statements: string[]) =>
      statements.map((q) => q.replace(/'vigil\.org_id', '[0-9a-f-]{36}'/, "'vigil.org_id', ORG"));
    const ssoRight = anyOrg(await statementsOf(ivan.email, password));
    const ssoWrong = anyOrg(await statementsOf(ivan.email, 'wrong-password'));
    assert.deepEqual(ssoRight, anyOrg(lockedWrong), 'SSO required: the right password, same path');
    assert.deepEqual(ssoWrong, anyOrg(lockedWrong), 'and a wrong one');
    assert.equal(await failures('sso_required'), 3);
    // An unknown email reads and writes other rows (there is no account), in as many statements
    // and transactions, also when the browser presents device tokens.
    const shape = (statements: string[]) =>
      statements.map((q) => {
        if (/^\s*(begin|commit|rollback)\b/i.test(q)) return q.trim().split(/\s/)[0]?.toLowerCase();
        if (/set_config|set local role/i.test(q)) return 'scope';
        return /^\s*select\b/i.test(q) ? 'read' : 'write';
      });
    const unknown = await statementsOf('nobody-at-all@example.test', password);
    assert.deepEqual(shape(unknown), shape(lockedWrong), 'an unknown email: the same work');
    const tokens = [`${newId()}.not-a-device`];
    assert.deepEqual(
      shape(await statementsOf('nobody-at-all@example.test', password, tokens)),
      shape(await statementsOf(lena.email, password, tokens)),
      'with device tokens too',
    );
  });

  it('locks after 10 failures: the right password then fails like a wrong one, until the lock ends', async () => {
    const carol = await auth.createUser(orgA, 'carol@example.test', password);
    for (let i = 0; i < 10; i++) {
      clock.advance(minute);
      assert.deepEqual(
        await auth.signIn.passwordStep({ email: carol.email, password: `wrong-${i}` }, client),
        { kind: 'failed' },
      );
    }
    const locked = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'auth.account.locked')
        .where('target_id', '=', carol.id)
        .execute(),
    );
    assert.equal(locked.length, 1);
    clock.advance(minute);
    assert.deepEqual(await auth.signIn.passwordStep({ email: carol.email, password }, client), {
      kind: 'failed',
    });
    const carolLocked = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'auth.login.failed')
        .where('target_id', '=', carol.id)
        .execute(),
    );
    assert.equal(carolLocked.filter((e) => JSON.parse(e.details).reason === 'locked').length, 1);
    clock.advance(30 * minute);
    signedIn(await auth.signIn.passwordStep({ email: carol.email, password }, client));
  });

  it('keeps a permanent lock until an administrator lifts it (audited)', async () => {
    await withOrg(core.database, orgB, (tx) =>
      auth.lockout.setPolicy(
        tx,
        orgB,
        {
          threshold: 3,
          lockMinutes: 1,
          delayFromFailure: 3,
          maxDelaySeconds: 1,
          permanentAfterLocks: 1,
        },
        operatorActor,
      ),
    );
    const hank = await auth.createUser(orgB, 'hank@example.test', password);
    for (let i = 0; i < 3; i++) {
      clock.advance(minute);
      await auth.signIn.passwordStep(
        { email: hank.email, password: 'wrong', orgSlug: 'globex' },
        client,
      );
    }
    clock.advance(24 * 60 * minute);
    assert.deepEqual(
      await auth.signIn.passwordStep({ email: hank.email, password, orgSlug: 'globex' }, client),
      { kind: 'failed' },
    );
    assert.equal(
      await withOrg(core.database, orgB, (tx) => auth.lockout.unlock(tx, hank, operatorActor)),
      true,
    );
    signedIn(
      await auth.signIn.passwordStep({ email: hank.email, password, orgSlug: 'globex' }, client),
    );
    const unlocked = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('actor_id')
        .where('action', '=', 'auth.account.unlocked')
        .where('target_id', '=', hank.id)
        .execute(),
    );
    assert.deepEqual(unlocked, [{ actor_id: 'cli' }]);
    await withOrg(core.database, orgB, (tx) =>
      auth.lockout.setPolicy(
        tx,
        orgB,
        {
          threshold: 10,
          lockMinutes: 30,
          delayFromFailure: 3,
          maxDelaySeconds: 30,
          permanentAfterLocks: null,
        },
        operatorActor,
      ),
    );
  });

  it('throttles with a growing delay from the third failure', async () => {
    const dave = await auth.createUser(orgA, 'dave@example.test', password);
    for (let i = 0; i < 3; i++)
      await auth.signIn.passwordStep({ email: dave.email, password: 'wrong' }, client);
    // Within the delay even the right password is refused, without counting as a failure.
    assert.deepEqual(await auth.signIn.passwordStep({ email: dave.email, password }, client), {
      kind: 'failed',
    });
    assert.ok((await failures('throttled')) >= 1);
    clock.advance(2000);
    signedIn(await auth.signIn.passwordStep({ email: dave.email, password }, client));
  });

  it('asks for the organization only after the password matched in several', async () => {
    await auth.createUser(orgB, 'alice@example.test', password);
    const choice = await auth.signIn.passwordStep(
      { email: 'alice@example.test', password },
      client,
    );
    assert.deepEqual(choice, {
      kind: 'choose_org',
      orgs: [
        { slug: 'acme', name: 'acme' },
        { slug: 'globex', name: 'globex' },
      ],
    });
    const inB = signedIn(
      await auth.signIn.passwordStep(
        { email: 'alice@example.test', password, orgSlug: 'globex' },
        client,
      ),
    );
    assert.equal(inB.session.orgId, orgB);
    assert.deepEqual(
      await auth.signIn.passwordStep({ email: 'alice@example.test', password: 'wrong' }, client),
      { kind: 'failed' },
    );
  });

  it('asks for the second factor when the user has one; a code works once', async () => {
    const erin = await auth.createUser(orgA, 'erin@example.test', password);
    const started = await withOrg(core.database, orgA, (tx) => auth.mfa.startTotp(tx, erin));
    const seed = new Uint8Array(OTPAuth.Secret.fromBase32(started.secret).buffer);
    await withOrg(core.database, orgA, (tx) =>
      auth.mfa.confirmTotp(tx, erin, started.factorId, totpCode(seed, clock.now()), operatorActor),
    );
    clock.advance(30_000);
    const flow = continued(
      await auth.signIn.passwordStep({ email: erin.email, password }, client),
      'mfa',
    );
    continued(await auth.signIn.secondFactorStep(flow, '000000', client), 'mfa');
    const code = totpCode(seed, clock.now());
    const done = signedIn(await auth.signIn.secondFactorStep(flow, code, client));
    assert.deepEqual(done.session.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(done.session.acr, 'urn:vigil:acr:mfa');
    await assert.rejects(
      auth.signIn.secondFactorStep(flow, code, client),
      /expired/,
      'the flow is spent',
    );
    const replay = continued(
      await auth.signIn.passwordStep({ email: erin.email, password }, client),
      'mfa',
    );
    continued(await auth.signIn.secondFactorStep(replay, code, client), 'mfa');
  });

  it('forces enrollment when the organization requires MFA, before any session exists', async () => {
    await withOrg(core.database, orgB, (tx) =>
      auth.mfa.setPolicy(tx, orgB, { required: true, gracePeriodDays: null }, operatorActor),
    );
    const frank = await auth.createUser(orgB, 'frank@example.test', password);
    const sessionsBefore = await withPlatform(core.database, (tx) =>
      tx.selectFrom('sessions').select('id').where('user_id', '=', frank.id).execute(),
    );
    const flow = continued(
      await auth.signIn.passwordStep({ email: frank.email, password }, client),
      'enroll',
    );
    assert.equal(sessionsBefore.length, 0);
    const { secret } = await auth.signIn.enrollStart(flow);
    const seed = new Uint8Array(OTPAuth.Secret.fromBase32(secret).buffer);
    const { result, recoveryCodes } = await auth.signIn.enrollConfirm(
      flow,
      totpCode(seed, clock.now()),
      client,
    );
    assert.equal(recoveryCodes?.length, 10);
    assert.deepEqual(signedIn(result).session.amr, ['pwd', 'otp', 'mfa']);
  });

  it('forces a change of a temporary password and ends the other sessions', async () => {
    const grace = await auth.createUser(orgA, 'grace@example.test', password);
    const other = signedIn(
      await auth.signIn.passwordStep({ email: grace.email, password }, client),
    );
    await withOrg(core.database, orgA, (tx) =>
      auth.passwords.set(tx, grace, 'Temporary-Pass-123', {
        actor: operatorActor,
        temporary: true,
        byOwner: false,
      }),
    );
    const flow = continued(
      await auth.signIn.passwordStep(
        { email: grace.email, password: 'Temporary-Pass-123' },
        client,
      ),
      'password_change',
    );
    await assert.rejects(
      auth.signIn.passwordChangeStep(flow, 'short', 'short', client),
      /at least 12/,
    );
    const done = signedIn(
      await auth.signIn.passwordChangeStep(
        flow,
        'Brand-New-Secret-42',
        'Brand-New-Secret-42',
        client,
      ),
    );
    assert.equal(await auth.sessions.authenticate(other.token), undefined);
    assert.ok(await auth.sessions.authenticate(done.token));
  });

  it('always requires MFA of platform administrators', async () => {
    assert.ok(alice);
    const { platformOrgId } = await import('../src/platform/index.ts');
    const admin = await auth.createUser(platformOrgId, 'root@example.test', password);
    await withOrg(core.database, platformOrgId, (tx) =>
      auth.rbac.assign(
        tx,
        { orgId: platformOrgId, userId: admin.id, roleKey: 'platform-admin', reason: 'test' },
        null,
        operatorActor,
      ),
    );
    continued(
      await auth.signIn.passwordStep({ email: admin.email, password, orgSlug: 'platform' }, client),
      'enroll',
    );
  });
});
