import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as OTPAuth from 'otpauth';
import { createServices } from '../src/app/services.ts';
import type { FederatedSignIn, StepResult } from '../src/auth/flows/index.ts';
import { totpCode } from '../src/auth/mfa/index.ts';
import {
  fixedClock,
  newId,
  operatorActor,
  platformOrgId,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { captureMail } from './support/http.ts';

const client = { ip: '198.51.100.77', userAgent: 'sso-sign-in-test' };
const password = 'Stable-Genius-2026!';

/**
 * The federated sign-in step (docs/sso.md#just-in-time-provisioning, #mfa-with-sso) and the SSO
 * policy's hold on passwords (docs/sso.md#sso-required-and-break-glass), on the flow object the
 * federation module calls after its protocol checked the upstream's answer.
 */
describe('federated sign-in and SSO required', () => {
  const clock = fixedClock(new Date('2026-08-01T09:00:00Z'));
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let acme: string;
  let globex: string;
  let jitConnection: string;
  let matchConnection: string;
  let globexConnection: string;

  /** An upstream connection row, as the federation module stores it. */
  const connection = (orgId: string, name: string, provisioning: 'jit' | 'match') =>
    withOrg(core.database, orgId, async (tx) => {
      const id = newId();
      await tx
        .insertInto('sso_connections')
        .values({
          id,
          org_id: orgId,
          name,
          protocol: 'oidc',
          enabled: true,
          issuer: 'https://idp.example.test',
          client_id: 'vigil',
          provisioning,
          attribute_mapping: '{}',
          created_at: clock.now(),
          updated_at: clock.now(),
        })
        .execute();
      return id;
    });

  const signIn = (
    orgId: string,
    connectionId: string,
    provisioning: 'jit' | 'match',
    identity: Partial<FederatedSignIn['identity']> & { subject: string },
  ) =>
    auth.signIn.federatedStep(
      {
        orgId,
        connectionId,
        connectionName: 'Okta',
        protocol: 'oidc',
        provisioning,
        identity: {
          email: null,
          displayName: null,
          mfa: false,
          reference: `id-token-${identity.subject}`,
          ...identity,
        },
      },
      client,
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
  const events = (action: string, targetId?: string) =>
    withPlatform(core.database, async (tx) => {
      let q = tx
        .selectFrom('audit_events')
        .select(['org_id', 'target_id', 'outcome', 'details', 'actor_id'])
        .where('action', '=', action);
      if (targetId) q = q.where('target_id', '=', targetId);
      return (await q.orderBy('occurred_at').execute()).map((e) => ({
        ...e,
        details: JSON.parse(e.details) as Record<string, unknown>,
      }));
    });
  const identities = (connectionId: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('sso_identities')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .orderBy('created_at')
        .execute(),
    );
  const setSso = (orgId: string, policy: { required: boolean; mfa: 'upstream' | 'vigil' }) =>
    withOrg(core.database, orgId, (tx) =>
      auth.ssoPolicy.setPolicy(tx, orgId, policy, operatorActor),
    );

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    jitConnection = await connection(acme, 'Okta', 'jit');
    matchConnection = await connection(acme, 'Entra', 'match');
    globexConnection = await connection(globex, 'Okta', 'jit');
  });
  after(() => core.close());

  it('provisions an unknown person just in time, links them, and reuses the link the next time', async () => {
    const first = signedIn(
      await signIn(acme, jitConnection, 'jit', {
        subject: 'okta|00u1',
        email: 'Jane.Doe@acme.test',
        displayName: 'Jane Doe',
      }),
    );
    assert.deepEqual(first.session.amr, ['ext']);
    const jane = await auth.identity.userByEmail(acme, 'jane.doe@acme.test');
    assert.ok(jane);
    assert.equal(jane.displayName, 'Jane Doe');
    assert.equal(first.session.userId, jane.id);
    const created = await events('user.created', jane.id);
    assert.equal(created.length, 1);
    assert.equal(created[0]?.details.source, 'sso');
    const provisioned = await events('sso.user.provisioned', jane.id);
    assert.equal(provisioned.length, 1);
    assert.equal(provisioned[0]?.details.connectionId, jitConnection);
    const [link] = await identities(jitConnection);
    assert.equal(link?.user_id, jane.id);
    assert.equal(link?.subject, 'okta|00u1');

    // The second time the link finds her, whatever email the upstream now sends.
    clock.advance(60_000);
    const second = signedIn(
      await signIn(acme, jitConnection, 'jit', { subject: 'okta|00u1', email: 'jd@acme.test' }),
    );
    assert.equal(second.session.userId, jane.id);
    assert.equal((await identities(jitConnection)).length, 1);
    assert.equal(
      (await identities(jitConnection))[0]?.last_sign_in_at.getTime(),
      clock.now().getTime(),
    );
    assert.equal((await events('sso.user.provisioned')).length, 1, 'no second user');
    const succeeded = await events('sso.login.succeeded', jane.id);
    assert.equal(succeeded.length, 2);
    assert.deepEqual(
      {
        connectionId: succeeded[1]?.details.connectionId,
        protocol: succeeded[1]?.details.protocol,
        subject: succeeded[1]?.details.subject,
        upstreamMfa: succeeded[1]?.details.upstreamMfa,
      },
      { connectionId: jitConnection, protocol: 'oidc', subject: 'okta|00u1', upstreamMfa: false },
    );
    assert.equal((await events('auth.login.succeeded', jane.id)).length, 2);
  });

  it('makes one user of two first sign-ins of the same person at once', async () => {
    const person = { subject: 'okta|00u9', email: 'twice@acme.test', displayName: 'Twice' };
    const results = await Promise.all([
      signIn(acme, jitConnection, 'jit', person),
      signIn(acme, jitConnection, 'jit', person),
    ]);
    const [one, two] = results.map(signedIn);
    assert.equal(one?.session.userId, two?.session.userId);
    const links = (await identities(jitConnection)).filter((l) => l.subject === person.subject);
    assert.equal(links.length, 1);
    assert.equal((await events('sso.user.provisioned', one?.session.userId)).length, 1);
  });

  it('matches an existing user by email and links them; match-only refuses an unknown person', async () => {
    const mark = await auth.createUser(acme, 'mark@acme.test', password);
    const result = signedIn(
      await signIn(acme, matchConnection, 'match', { subject: 'entra-1', email: 'MARK@acme.test' }),
    );
    assert.equal(result.session.userId, mark.id);
    assert.equal((await identities(matchConnection))[0]?.user_id, mark.id);

    const usersBefore = (
      await withOrg(core.database, acme, (tx) => auth.identity.listUsers(tx, acme))
    ).length;
    assert.deepEqual(
      await signIn(acme, matchConnection, 'match', {
        subject: 'entra-2',
        email: 'nobody@acme.test',
      }),
      { kind: 'failed' },
    );
    const refused = await events('sso.login.failed');
    assert.deepEqual(
      refused.map((e) => [e.details.reason, e.details.subject, e.org_id]),
      [['unknown_user', 'entra-2', acme]],
    );
    const usersAfter = (
      await withOrg(core.database, acme, (tx) => auth.identity.listUsers(tx, acme))
    ).length;
    assert.equal(usersAfter, usersBefore, 'match-only creates nobody');
    assert.equal((await identities(matchConnection)).length, 1);
    // Without an email the upstream vouches for, nobody can be found or made.
    assert.deepEqual(await signIn(acme, jitConnection, 'jit', { subject: 'okta|no-mail' }), {
      kind: 'failed',
    });
    assert.equal((await events('sso.login.failed')).at(-1)?.details.reason, 'no_email');
  });

  it('finds only users of the connection’s organization', async () => {
    // Mark of acme has the same email as the person globex's IdP sends: globex gets its own user.
    const result = signedIn(
      await signIn(globex, globexConnection, 'jit', {
        subject: 'okta|g1',
        email: 'mark@acme.test',
      }),
    );
    const mark = await auth.identity.userByEmail(acme, 'mark@acme.test');
    assert.notEqual(result.session.userId, mark?.id);
    assert.equal(result.session.orgId, globex);
    // A subject linked in acme means nothing to another connection.
    assert.deepEqual(
      await signIn(acme, matchConnection, 'match', { subject: 'okta|g1', email: 'x@globex.test' }),
      { kind: 'failed' },
    );
  });

  it('refuses a connection of another organization, or a disabled one, and links nothing', async () => {
    // A caller that named acme with globex's connection: nothing is found, made or linked.
    assert.deepEqual(
      await signIn(acme, globexConnection, 'jit', { subject: 'okta|x1', email: 'mark@acme.test' }),
      { kind: 'failed' },
    );
    assert.equal((await events('sso.login.failed')).at(-1)?.details.reason, 'connection_unusable');
    assert.equal(
      (await identities(globexConnection)).some((i) => i.subject === 'okta|x1'),
      false,
    );
    await withOrg(core.database, acme, (tx) =>
      tx
        .updateTable('sso_connections')
        .set({ enabled: false })
        .where('id', '=', matchConnection)
        .execute(),
    );
    assert.deepEqual(
      await signIn(acme, matchConnection, 'match', { subject: 'entra-1', email: 'mark@acme.test' }),
      { kind: 'failed' },
    );
    await withOrg(core.database, acme, (tx) =>
      tx
        .updateTable('sso_connections')
        .set({ enabled: true })
        .where('id', '=', matchConnection)
        .execute(),
    );
    signedIn(await signIn(acme, matchConnection, 'match', { subject: 'entra-1' }));
  });

  it('refuses a suspended or deprovisioned user and a suspended organization', async () => {
    const sue = await auth.createUser(acme, 'sue@acme.test', password);
    signedIn(await signIn(acme, jitConnection, 'jit', { subject: 'okta|sue', email: sue.email }));
    await withOrg(core.database, acme, (tx) =>
      auth.identity.setStatus(tx, sue.id, 'suspended', operatorActor),
    );
    assert.deepEqual(await signIn(acme, jitConnection, 'jit', { subject: 'okta|sue' }), {
      kind: 'failed',
    });
    const dee = await auth.createUser(acme, 'dee@acme.test', password);
    await withOrg(core.database, acme, (tx) =>
      auth.identity.setStatus(tx, dee.id, 'deprovisioned', operatorActor),
    );
    // Found by email, refused before it is linked.
    assert.deepEqual(
      await signIn(acme, jitConnection, 'jit', { subject: 'okta|dee', email: dee.email }),
      { kind: 'failed' },
    );
    assert.equal(
      (await identities(jitConnection)).some((i) => i.user_id === dee.id),
      false,
    );
    const reasons = (await events('sso.login.failed')).slice(-2).map((e) => e.details.reason);
    assert.deepEqual(reasons, ['account_suspended', 'account_deprovisioned']);

    const initech = await core.createOrg('initech');
    const initechConnection = await connection(initech, 'Okta', 'jit');
    await withPlatform(core.database, (tx) =>
      auth.tenancy.setStatus(tx, initech, 'suspended', 'test', operatorActor),
    );
    assert.deepEqual(
      await signIn(initech, initechConnection, 'jit', {
        subject: 'okta|i1',
        email: 'i@initech.test',
      }),
      { kind: 'failed' },
    );
    assert.equal(
      (await events('sso.login.failed')).at(-1)?.details.reason,
      'organization_suspended',
    );
    assert.equal(
      await auth.identity.userByEmail(initech, 'i@initech.test'),
      undefined,
      'nobody made',
    );
  });

  it('honours the upstream’s MFA under `upstream`, and asks Vigil’s own factor under `vigil`', async () => {
    const upstream = signedIn(
      await signIn(acme, jitConnection, 'jit', {
        subject: 'okta|mfa1',
        email: 'mo@acme.test',
        mfa: true,
      }),
    );
    assert.deepEqual(upstream.session.amr, ['ext', 'mfa']);
    assert.equal(upstream.session.acr, 'urn:vigil:acr:mfa');
    // Under the MFA policy, no upstream MFA: enrolment as for a password sign-in.
    await withOrg(core.database, acme, (tx) =>
      auth.mfa.setPolicy(tx, acme, { required: true, gracePeriodDays: null }, operatorActor),
    );
    continued(await signIn(acme, jitConnection, 'jit', { subject: 'okta|mfa1' }), 'enroll');
    await withOrg(core.database, acme, (tx) =>
      auth.mfa.setPolicy(tx, acme, { required: false, gracePeriodDays: null }, operatorActor),
    );
    signedIn(await signIn(acme, jitConnection, 'jit', { subject: 'okta|mfa1' }));

    await setSso(acme, { required: false, mfa: 'vigil' });
    // The upstream's MFA no longer counts: enrolment, since mo has no factor of Vigil's.
    const flow = continued(
      await signIn(acme, jitConnection, 'jit', { subject: 'okta|mfa1', mfa: true }),
      'enroll',
    );
    const { secret } = await auth.signIn.enrollStart(flow);
    const seed = new Uint8Array(OTPAuth.Secret.fromBase32(secret).buffer);
    const enrolled = await auth.signIn.enrollConfirm(flow, totpCode(seed, clock.now()), client);
    assert.deepEqual(signedIn(enrolled.result).session.amr, ['ext', 'otp', 'mfa']);
    // With a factor: the code is asked, and the session says ext + otp.
    clock.advance(30_000);
    const again = continued(
      await signIn(acme, jitConnection, 'jit', { subject: 'okta|mfa1', mfa: true }),
      'mfa',
    );
    const done = signedIn(
      await auth.signIn.secondFactorStep(again, totpCode(seed, clock.now()), client),
    );
    assert.deepEqual(done.session.amr, ['ext', 'otp', 'mfa']);
    const last = (await events('sso.login.succeeded')).at(-1);
    assert.equal(last?.details.upstreamMfa, true);
    assert.equal(last?.details.mfaPolicy, 'vigil');
    await setSso(acme, { required: false, mfa: 'upstream' });
  });

  it('refuses the password of a user whose organization requires SSO with the same failed answer, and mails no reset link', async () => {
    const paula = await auth.createUser(globex, 'paula@globex.test', password);
    signedIn(await auth.signIn.passwordStep({ email: paula.email, password }, client));
    await setSso(globex, { required: true, mfa: 'upstream' });
    assert.deepEqual(await auth.signIn.passwordStep({ email: paula.email, password }, client), {
      kind: 'failed',
    });
    assert.deepEqual(
      await auth.signIn.passwordStep({ email: paula.email, password: 'wrong' }, client),
      { kind: 'failed' },
    );
    const refusals = await events('auth.login.failed', paula.id);
    assert.deepEqual(
      refusals.map((e) => e.details.reason),
      ['sso_required', 'sso_required'],
    );
    // Her sign-in through the IdP still works.
    signedIn(
      await signIn(globex, globexConnection, 'jit', { subject: 'okta|paula', email: paula.email }),
    );

    await auth.passwordReset.request(paula.email, client);
    await auth.passwordReset.settled();
    const requested = await events('auth.password_reset.requested', paula.id);
    assert.deepEqual(
      requested.map((e) => [e.outcome, e.details.reason]),
      [['denied', 'sso_required']],
    );
    const links = await withOrg(core.database, globex, (tx) =>
      tx.selectFrom('password_resets').select('id').where('user_id', '=', paula.id).execute(),
    );
    assert.equal(links.length, 0);

    // Back on passwords: her password works again.
    await setSso(globex, { required: false, mfa: 'upstream' });
    signedIn(await auth.signIn.passwordStep({ email: paula.email, password }, client));
  });

  it('refuses a reset link mailed before SSO became required', async () => {
    const mail = captureMail();
    const { passwordReset } = createServices(core, { mailer: mail });
    const rick = await auth.createUser(globex, 'rick@globex.test', password);
    const nextMail = mail.next();
    await passwordReset.request(rick.email, client);
    await passwordReset.settled();
    const token = /token=(\S+)/.exec((await nextMail).text)?.[1] ?? '';
    assert.ok(token, 'a link was mailed while passwords were on');
    await setSso(globex, { required: true, mfa: 'upstream' });
    assert.equal(await passwordReset.check(token), true, 'the link itself is still valid');
    await assert.rejects(
      passwordReset.complete(token, 'Brand-New-Secret-77', 'Brand-New-Secret-77', client),
      (err: { code?: string }) => err.code === 'reset.sso_required',
    );
    assert.equal((await events('auth.password_reset.completed', rick.id)).length, 0);
    await setSso(globex, { required: false, mfa: 'upstream' });
    await passwordReset.complete(token, 'Brand-New-Secret-77', 'Brand-New-Secret-77', client);
    signedIn(
      await auth.signIn.passwordStep(
        { email: rick.email, password: 'Brand-New-Secret-77' },
        client,
      ),
    );
  });

  it('keeps a break-glass password for platform administrators, audited, even when the platform requires SSO', async () => {
    const root = await auth.createUser(platformOrgId, 'root@vigil.test', password);
    await withOrg(core.database, platformOrgId, (tx) =>
      auth.rbac.assign(
        tx,
        { orgId: platformOrgId, userId: root.id, roleKey: 'platform-admin', reason: 'test' },
        null,
        operatorActor,
      ),
    );
    const staff = await auth.createUser(platformOrgId, 'staff@vigil.test', password);
    await setSso(platformOrgId, { required: true, mfa: 'upstream' });
    // Administrators always owe a second factor: the password moves the sign-in on to it.
    continued(
      await auth.signIn.passwordStep({ email: root.email, password, orgSlug: 'platform' }, client),
      'enroll',
    );
    const glass = await events('auth.login.break_glass', root.id);
    assert.equal(glass.length, 1);
    assert.equal(glass[0]?.details.breakGlass, true);
    // Another member of the platform organization has no such path.
    assert.deepEqual(
      await auth.signIn.passwordStep({ email: staff.email, password, orgSlug: 'platform' }, client),
      { kind: 'failed' },
    );
    assert.equal(
      (await events('auth.login.failed', staff.id)).at(-1)?.details.reason,
      'sso_required',
    );
    // A wrong break-glass password is still a wrong password.
    assert.deepEqual(
      await auth.signIn.passwordStep(
        { email: root.email, password: 'nope', orgSlug: 'platform' },
        client,
      ),
      { kind: 'failed' },
    );
    assert.equal(
      (await events('auth.login.failed', root.id)).at(-1)?.details.reason,
      'bad_password',
    );
    // The administrator may still reset their password; the other member may not.
    await auth.passwordReset.request(root.email, client);
    await auth.passwordReset.request(staff.email, client);
    await auth.passwordReset.settled();
    assert.equal(
      (await events('auth.password_reset.requested', root.id)).at(-1)?.outcome,
      'success',
    );
    assert.equal(
      (await events('auth.password_reset.requested', staff.id)).at(-1)?.details.reason,
      'sso_required',
    );
    await setSso(platformOrgId, { required: false, mfa: 'upstream' });
  });
});
