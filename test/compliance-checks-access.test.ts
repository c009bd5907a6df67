import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { complianceSources } from '../src/app/compliance-sources.ts';
import { controlById } from '../src/compliance/controls/catalog.ts';
import type { CheckOutcome } from '../src/compliance/controls/control.ts';
import type { CheckSources } from '../src/compliance/controls/sources.ts';
import type { User } from '../src/identity/index.ts';
import { createLifecycle } from '../src/lifecycle/index.ts';
import {
  type AuditActor,
  fixedClock,
  newId,
  operatorActor,
  type Tx,
  withOrg,
} from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

const hour = 3_600_000;
const day = 24 * hour;
const password = 'Correct-Horse-Battery-9';

/**
 * The live checks of the access controls (docs/compliance.md#access-controls) against a world
 * seeded to break each one (rows written directly where the API refuses), and a clean one: the
 * verdict, the summary, and every exception line with its subject, in order.
 */
describe('access control checks', () => {
  const clock = fixedClock(new Date('2026-09-01T09:00:00Z'));
  let core: TestCore;
  let services: ReturnType<typeof authServices>;
  let sources: CheckSources;

  const check = (controlId: string, orgId: string): Promise<CheckOutcome> => {
    const control = controlById.get(controlId);
    assert.ok(control, controlId);
    return withOrg(core.database, orgId, (tx) =>
      control.check({ tx, orgId, now: clock.now(), sources }),
    );
  };
  const inOrg = <T>(orgId: string, fn: (tx: Tx) => Promise<T>) => withOrg(core.database, orgId, fn);
  const user = (orgId: string, email: string) => services.createUser(orgId, email, password);
  const grant = (orgId: string, u: User, roleKey: string) =>
    services.rbac.assignIn({ orgId, userId: u.id, roleKey, reason: 'test' }, operatorActor);
  /** An assignment the API would refuse (a deactivated user's, one breaking a conflict rule). */
  const grantDirectly = (orgId: string, u: User, roleKey: string) =>
    inOrg(orgId, (tx) =>
      tx
        .insertInto('role_assignments')
        .values({
          org_id: orgId,
          user_id: u.id,
          role_key: roleKey,
          granted_by: null,
          reason: 'seeded around the API',
          granted_at: clock.now(),
        })
        .execute(),
    );
  const signIn = (u: User) =>
    inOrg(u.orgId, (tx) =>
      services.sessions.create(tx, { user: u, amr: ['pwd'], acr: '1' }, operatorActor),
    );
  const lines = (outcome: CheckOutcome) =>
    outcome.exceptions.map((e) => [e.message, e.subject?.type, e.subject?.id]);

  before(async () => {
    core = await openTestCore({ clock });
    services = authServices(core);
    sources = complianceSources(core, services);
  });
  after(() => core.close());

  describe('role-documentation', () => {
    it('passes when every role is documented and grants catalogued permissions', async () => {
      const orgId = await core.createOrg('roles-clean');
      const owner = await user(orgId, 'owner@roles-clean.test');
      await inOrg(orgId, (tx) =>
        services.rbac.createRole(
          tx,
          orgId,
          {
            key: 'billing-viewer',
            name: 'Billing viewer',
            description: 'Reads the users billing asks about',
            purpose: 'Billing reconciles seats every month',
            permissions: ['users.read'],
            ownerUserId: owner.id,
          },
          null,
          { type: 'user', id: owner.id },
        ),
      );
      const outcome = await check('role-documentation', orgId);
      assert.equal(outcome.status, 'pass');
      assert.match(outcome.summary, /^All \d+ roles have a description and a purpose/);
      assert.deepEqual(outcome.exceptions, []);
    });

    it('fails on a role without a purpose or description, or granting an unknown permission', async () => {
      const orgId = await core.createOrg('roles-bad');
      const owner = await user(orgId, 'owner@roles-bad.test');
      // The API requires a purpose and catalogued permissions: the rows are written directly.
      const role = (key: string, description: string, purpose: string, permissions: string[]) => ({
        org_id: orgId,
        key,
        name: key,
        description,
        purpose,
        permissions,
        owner_user_id: owner.id,
        privileged: false,
        require_mfa: false,
        requires_approval: false,
        version: 1,
        created_at: clock.now(),
        updated_at: clock.now(),
      });
      await inOrg(orgId, (tx) =>
        tx
          .insertInto('roles')
          .values([
            role('legacy-ops', ' ', '', ['users.read', 'reports.run']),
            role('billing-admin', 'Manages billing contacts', '', ['users.read']),
          ])
          .execute(),
      );
      const outcome = await check('role-documentation', orgId);
      assert.equal(outcome.status, 'fail');
      assert.match(outcome.summary, /^2 roles of \d+ not fully documented$/);
      assert.deepEqual(lines(outcome), [
        ['role billing-admin has no documented purpose', 'role', 'billing-admin'],
        ['role legacy-ops has no documented description or purpose', 'role', 'legacy-ops'],
        ['role legacy-ops grants reports.run, not in the permission catalog', 'role', 'legacy-ops'],
      ]);
    });
  });

  describe('least-privilege', () => {
    let orgId: string;
    let dana: User;
    let ops: User;
    let sam: User;

    before(async () => {
      orgId = await core.createOrg('least');
      dana = await user(orgId, 'dana@least.test');
      ops = await user(orgId, 'ops@least.test');
      sam = await user(orgId, 'sam@least.test');
      const member = await user(orgId, 'member@least.test');
      await grant(orgId, dana, 'org-admin');
      await grant(orgId, ops, 'org-admin');
      await grant(orgId, member, 'member');
    });

    it('passes while every privileged holder is in use and no deactivated user holds a role', async () => {
      const outcome = await check('least-privilege', orgId);
      assert.equal(outcome.status, 'pass');
      assert.equal(
        outcome.summary,
        'No suspended or deprovisioned user holds a role, and every privileged holder signed in within 90 days (the lifecycle policy sets no dormancy limit)',
      );
    });

    it('fails on a suspended holder and a privileged holder unused past the dormancy limit', async () => {
      const created = clock.now();
      // Sam is suspended with a role left behind (a deactivation takes roles away: written directly).
      await inOrg(orgId, (tx) =>
        tx
          .updateTable('users')
          .set({ status: 'suspended', deactivated_at: clock.now() })
          .where('id', '=', sam.id)
          .execute(),
      );
      await grantDirectly(orgId, sam, 'org-auditor');
      // Dana signs in 20 days later; Ops never does. 100 days after creation, Ops is dormant.
      clock.advance(20 * day);
      await signIn(dana);
      clock.advance(80 * day);
      const outcome = await check('least-privilege', orgId);
      assert.equal(outcome.status, 'fail');
      assert.equal(
        outcome.summary,
        '1 deactivated user still holding roles; 1 privileged holder unused past 90 days (the lifecycle policy sets no dormancy limit)',
      );
      const createdDay = created.toISOString().slice(0, 10);
      assert.deepEqual(lines(outcome), [
        ['suspended user sam@least.test still holds org-auditor', 'user', sam.id],
        [
          `privileged user ops@least.test (org-admin) never signed in (account created ${createdDay}), over the 90-day dormancy limit`,
          'user',
          ops.id,
        ],
      ]);

      // The lifecycle policy's own limit counts: at 120 days Ops is not dormant yet.
      await inOrg(orgId, (tx) =>
        services.lifecyclePolicy.setPolicy(
          tx,
          orgId,
          { dormantDays: 120, warnDays: 7, slaHours: 24 },
          operatorActor,
        ),
      );
      const laxer = await check('least-privilege', orgId);
      assert.deepEqual(lines(laxer), [
        ['suspended user sam@least.test still holds org-auditor', 'user', sam.id],
      ]);
      // Past it, Dana's last sign-in is what dates her.
      clock.advance(45 * day);
      const later = await check('least-privilege', orgId);
      assert.deepEqual(
        later.exceptions.map((e) => e.message),
        [
          'suspended user sam@least.test still holds org-auditor',
          `privileged user dana@least.test (org-admin) last signed in ${new Date(created.getTime() + 20 * day).toISOString().slice(0, 10)}, over the 120-day dormancy limit`,
          `privileged user ops@least.test (org-admin) never signed in (account created ${createdDay}), over the 120-day dormancy limit`,
        ],
      );
    });
  });

  describe('access-reviews', () => {
    let orgId: string;
    let owner: User;
    let actor: AuditActor;
    const launch = (kind: 'privileged_roles' | 'all_assignments', name: string, dueDays: number) =>
      inOrg(orgId, (tx) =>
        services.reviews.launch(
          tx,
          orgId,
          { scope: { kind }, name, dueAt: new Date(clock.now().getTime() + dueDays * day) },
          actor,
        ),
      );
    const close = (id: string) =>
      inOrg(orgId, (tx) => services.reviews.close(tx, orgId, id, actor));

    before(async () => {
      orgId = await core.createOrg('reviews');
      owner = await user(orgId, 'owner@reviews.test');
      actor = { type: 'user', id: owner.id };
    });

    it('fails when no campaign was ever closed', async () => {
      const outcome = await check('access-reviews', orgId);
      assert.equal(outcome.status, 'fail');
      assert.deepEqual(lines(outcome), [
        [
          'no review of privileged access closed in the last 92 days (none ever closed)',
          'review_scope',
          'privileged_roles',
        ],
        [
          'no review of all access closed in the last 366 days (none ever closed)',
          'review_scope',
          'all_assignments',
        ],
      ]);
    });

    it('passes once a review of all access closes, fails on an overdue one and a lapsed quarter', async () => {
      const all = await launch('all_assignments', 'Yearly access review', 14);
      clock.advance(10 * day);
      await close(all.id);
      const closedDay = clock.now().toISOString().slice(0, 10);
      const clean = await check('access-reviews', orgId);
      assert.equal(clean.status, 'pass');
      assert.equal(
        clean.summary,
        'Privileged access was reviewed within 92 days and all access within 366 days; no review is overdue',
      );

      // A privileged review due in 7 days is still open 8 days later.
      const quarter = await launch('privileged_roles', 'Q4 privileged', 7);
      const dueDay = new Date(clock.now().getTime() + 7 * day).toISOString().slice(0, 10);
      clock.advance(8 * day);
      const overdue = await check('access-reviews', orgId);
      assert.equal(overdue.status, 'fail');
      assert.deepEqual(lines(overdue), [
        [
          `review "Q4 privileged" (privileged_roles) overdue (due ${dueDay})`,
          'review_campaign',
          quarter.id,
        ],
      ]);

      // 93 days after the yearly review closed, privileged access is no longer covered.
      clock.advance(85 * day);
      const lapsed = await check('access-reviews', orgId);
      assert.deepEqual(
        lapsed.exceptions.map((e) => e.message),
        [
          `no review of privileged access closed in the last 92 days (last one "Yearly access review" closed ${closedDay})`,
          `review "Q4 privileged" (privileged_roles) overdue (due ${dueDay})`,
        ],
      );

      // A policy reviewing privileged access once a year widens the window to 366 days.
      await inOrg(orgId, (tx) =>
        services.reviewsPolicy.setPolicy(
          tx,
          orgId,
          {
            privilegedEvery: 'year',
            allEvery: 'year',
            dueDays: 14,
            remindEveryDays: 3,
            closeAfterDays: null,
          },
          operatorActor,
        ),
      );
      await close(quarter.id);
      const yearly = await check('access-reviews', orgId);
      assert.equal(yearly.status, 'pass');
      assert.equal(
        yearly.summary,
        'Privileged access was reviewed within 366 days and all access within 366 days; no review is overdue',
      );
    });
  });

  describe('deprovisioning-sla', () => {
    let orgId: string;
    let actor: AuditActor;

    before(async () => {
      orgId = await core.createOrg('leavers');
      const admin = await user(orgId, 'admin@leavers.test');
      actor = { type: 'user', id: admin.id };
    });

    it('passes with no leaver in 90 days, saying so', async () => {
      const outcome = await check('deprovisioning-sla', orgId);
      assert.equal(outcome.status, 'pass');
      assert.equal(
        outcome.summary,
        'No deactivation in the last 90 days, and no active user is past their end date',
      );
    });

    it('fails on a leaver deprovisioned after the SLA and a user active past their end date', async () => {
      const ann = await user(orgId, 'ann@leavers.test');
      const bob = await user(orgId, 'bob@leavers.test');
      const cleo = await user(orgId, 'cleo@leavers.test');
      await inOrg(orgId, (tx) =>
        services.lifecycle.deactivate(tx, ann.id, 'deprovisioned', actor, { source: 'admin' }),
      );
      // Bob's end date was 31 hours ago when the schedule caught up (a node was down).
      await inOrg(orgId, (tx) =>
        services.lifecycle.deactivate(tx, bob.id, 'deprovisioned', actor, {
          source: 'schedule',
          requestedAt: new Date(clock.now().getTime() - 31 * hour),
        }),
      );
      const allMet = await check('deprovisioning-sla', orgId);
      assert.equal(allMet.status, 'fail');
      assert.deepEqual(lines(allMet), [
        ['leaver bob@leavers.test lost access after 31 h, over the 24 h SLA', 'user', bob.id],
      ]);

      // Cleo's end date passed yesterday and she is still active (the schedule never ran).
      const endAt = new Date(clock.now().getTime() - day);
      await inOrg(orgId, (tx) =>
        tx.updateTable('users').set({ end_at: endAt }).where('id', '=', cleo.id).execute(),
      );
      const outcome = await check('deprovisioning-sla', orgId);
      assert.equal(outcome.status, 'fail');
      assert.equal(
        outcome.summary,
        '1 of 2 deactivations of the last 90 days missed the SLA; 1 user still active past their end date',
      );
      assert.deepEqual(lines(outcome), [
        ['leaver bob@leavers.test lost access after 31 h, over the 24 h SLA', 'user', bob.id],
        [
          `cleo@leavers.test is still active after their end date ${endAt.toISOString().slice(0, 10)}`,
          'user',
          cleo.id,
        ],
      ]);

      // Once Cleo is deprovisioned in time and 90 days pass, nothing is left to find.
      await inOrg(orgId, (tx) =>
        services.lifecycle.deactivate(tx, cleo.id, 'deprovisioned', actor, { source: 'admin' }),
      );
      clock.advance(91 * day);
      const quiet = await check('deprovisioning-sla', orgId);
      assert.equal(quiet.status, 'pass');
      assert.equal(
        quiet.summary,
        'No deactivation in the last 90 days, and no active user is past their end date',
      );
    });

    it('passes when every leaver of the period met the SLA', async () => {
      const dan = await user(orgId, 'dan@leavers.test');
      await inOrg(orgId, (tx) =>
        services.lifecycle.deactivate(tx, dan.id, 'deprovisioned', actor, { source: 'admin' }),
      );
      const outcome = await check('deprovisioning-sla', orgId);
      assert.equal(outcome.status, 'pass');
      assert.equal(
        outcome.summary,
        '1 deactivation in the last 90 days, none past the SLA; no active user is past their end date',
      );
    });

    it('fails on a leaver whose OAuth access is still not revoked once the SLA ran out', async () => {
      // The same lifecycle, but the provider is down after the commit: OAuth access outlives it.
      const brokenOAuth = createLifecycle({
        database: core.database,
        clock,
        identity: services.identity,
        tenancy: services.tenancy,
        passwords: services.passwords,
        sessions: services.sessions,
        devices: services.lockout.devices,
        apiKeys: services.apiKeys,
        rbac: services.rbac,
        revokeOAuth: () => Promise.reject(new Error('provider unavailable')),
        onRevokeError: () => {},
        restoreDirectoryRoles: (tx, u, by) =>
          services.groupRoles.syncUsers(tx, u.orgId, [u.id], by),
      });
      const gus = await user(orgId, 'gus@leavers.test');
      const requestedAt = clock.now();
      await inOrg(orgId, (tx) =>
        brokenOAuth.deactivate(tx, gus.id, 'deprovisioned', actor, { source: 'scim' }),
      );
      const within = await check('deprovisioning-sla', orgId);
      assert.equal(within.status, 'pass', 'still within the SLA');
      assert.equal(
        within.summary,
        '2 deactivations in the last 90 days, none past the SLA; no active user is past their end date',
      );
      clock.advance(25 * hour);
      const outcome = await check('deprovisioning-sla', orgId);
      assert.equal(outcome.status, 'fail');
      assert.deepEqual(lines(outcome), [
        [
          `leaver gus@leavers.test still holds OAuth access 24 h after the request of ${requestedAt.toISOString()}`,
          'user',
          gus.id,
        ],
      ]);
    });
  });

  describe('segregation-of-duties', () => {
    let orgId: string;
    let eve: User;
    let finn: User;

    before(async () => {
      orgId = await core.createOrg('duties');
      eve = await user(orgId, 'eve@duties.test');
      finn = await user(orgId, 'finn@duties.test');
      await inOrg(orgId, (tx) =>
        services.rbac.addConflictRule(
          tx,
          orgId,
          {
            name: 'Admin is not auditor',
            description: 'Whoever administers the organization cannot also audit it',
            roles: ['org-auditor', 'org-admin'],
            permissions: [],
          },
          operatorActor,
        ),
      );
      await grant(orgId, eve, 'org-admin');
      await grant(orgId, finn, 'org-auditor');
    });

    it('passes while nobody breaks a rule or approved their own request', async () => {
      const outcome = await check('segregation-of-duties', orgId);
      assert.equal(outcome.status, 'pass');
      assert.equal(
        outcome.summary,
        'Nobody breaks the 1 conflict rule, and no access request was approved by its requester or beneficiary',
      );
    });

    it('fails on a user holding conflicting roles and a self-approved access request', async () => {
      // rbac refuses both: the rows are written around it.
      await grantDirectly(orgId, eve, 'org-auditor');
      const request = (
        userId: string,
        requestedBy: string,
        decidedBy: string,
        roleKey: string,
      ) => ({
        id: newId(clock.now().getTime()),
        org_id: orgId,
        user_id: userId,
        role_key: roleKey,
        requested_by: requestedBy,
        reason: 'seeded',
        assignment_expires_at: null,
        status: 'approved' as const,
        decided_by: decidedBy,
        decided_at: clock.now(),
        decision_note: 'ok',
        created_at: clock.now(),
        expires_at: new Date(clock.now().getTime() + 7 * day),
      });
      const byBeneficiary = request(finn.id, finn.id, finn.id, 'org-admin');
      clock.advance(1000);
      const byRequester = request(eve.id, finn.id, finn.id, 'member');
      clock.advance(1000);
      // Approved by a third person: fine.
      const proper = request(finn.id, finn.id, eve.id, 'member');
      await inOrg(orgId, (tx) =>
        tx.insertInto('access_requests').values([byBeneficiary, byRequester, proper]).execute(),
      );
      const outcome = await check('segregation-of-duties', orgId);
      assert.equal(outcome.status, 'fail');
      assert.equal(
        outcome.summary,
        '1 conflict rule breach of the 1 conflict rule; 2 self-approved access requests',
      );
      assert.deepEqual(lines(outcome), [
        [
          'eve@duties.test holds roles org-admin and org-auditor together, which conflict rule "Admin is not auditor" forbids',
          'user',
          eve.id,
        ],
        [
          'access request of finn@duties.test for org-admin was approved by its beneficiary',
          'access_request',
          byBeneficiary.id,
        ],
        [
          'access request of eve@duties.test for member was approved by its requester',
          'access_request',
          byRequester.id,
        ],
      ]);
    });
  });
});
