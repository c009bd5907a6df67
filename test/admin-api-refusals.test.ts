import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRefusalLog, type Refusal } from '../src/http/api/refusals.ts';
import type { User } from '../src/identity/index.ts';
import {
  type AuditEventInput,
  fixedClock,
  platformOrgId,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { request } from './support/http.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;

describe('refused admin-API calls are audited, without a flood bloating the log', () => {
  describe('the window per caller and route', () => {
    const refusal = (route: string, ip = '192.0.2.1'): Refusal => ({
      ip,
      method: 'GET',
      route,
      permission: 'users.read',
      status: 401,
      code: 'api.unauthenticated',
    });
    const setUp = (maxWindows?: number) => {
      const clock = fixedClock(new Date('2026-12-01T10:00:00Z'));
      const written: AuditEventInput[] = [];
      const log = createRefusalLog({
        append: async (event) => {
          written.push(event);
        },
        clock,
        logger: { error: () => undefined },
        platformOrgId,
        maxWindows,
      });
      const suppressed = () => written.map((e) => e.details?.suppressed);
      return { clock, written, log, suppressed };
    };

    it('writes one event a minute per caller and route, with the count of the others', async () => {
      const { clock, written, log, suppressed } = setUp();
      for (let i = 0; i < 50; i++) await log.record(refusal('/orgs/{orgId}/users'));
      await log.record(refusal('/orgs/{orgId}/roles'));
      await log.record(refusal('/orgs/{orgId}/users', '192.0.2.2'));
      assert.equal(written.length, 3, 'the first of each caller and route');
      assert.deepEqual(suppressed(), [0, 0, 0]);
      assert.deepEqual(written[0], {
        orgId: platformOrgId,
        action: 'api.request.denied',
        outcome: 'denied',
        actor: { type: 'anonymous', ip: '192.0.2.1', userAgent: undefined },
        target: undefined,
        requestId: undefined,
        details: {
          method: 'GET',
          route: '/orgs/{orgId}/users',
          permission: 'users.read',
          status: 401,
          problem: 'api.unauthenticated',
          suppressed: 0,
        },
      });
      clock.advance(30_000);
      await log.flush();
      assert.equal(written.length, 3, 'a window still open is not closed early');
      clock.advance(30_000);
      // The flood goes on in the next minute: its first refusal carries the 49 before it.
      await log.record(refusal('/orgs/{orgId}/users'));
      assert.deepEqual(suppressed(), [0, 0, 0, 49]);
      // It stops: the closed window's count is written when the windows are swept.
      for (let i = 0; i < 9; i++) await log.record(refusal('/orgs/{orgId}/users'));
      clock.advance(60_000);
      await log.flush();
      assert.deepEqual(suppressed(), [0, 0, 0, 49, 8]);
      clock.advance(60_000);
      await log.flush();
      assert.equal(written.length, 5, 'nothing more to say');
    });

    it('keeps memory bounded: past the limit, new callers share one window', async () => {
      const { written, log } = setUp(2);
      for (let i = 0; i < 100; i++) await log.record(refusal('/orgs', `198.51.100.${i}`));
      assert.equal(written.length, 3, 'two callers of their own, then one shared window');
      await log.flush(true);
      const shared = written.slice(2);
      assert.deepEqual(
        shared.map((e) => [e.actor?.ip, e.details?.route, e.details?.suppressed]),
        [
          ['*', '*', 0],
          ['*', '*', 96],
        ],
        'naming no one caller',
      );
    });
  });

  describe('through the API', () => {
    let world: OidcWorld;
    let call: Api['call'];
    let acme: string;
    let auditor: User;
    let admin: User;
    let auditorToken: string;

    const denied = (orgId: string) =>
      withPlatform(world.core.database, (tx) =>
        tx
          .selectFrom('audit_events')
          .select([
            'actor_type',
            'actor_id',
            'actor_ip',
            'target_id',
            'outcome',
            'request_id',
            'details',
          ])
          .where('action', '=', 'api.request.denied')
          .where('org_id', '=', orgId)
          .orderBy('seq')
          .execute(),
      );

    before(async () => {
      let userWithRole: Api['userWithRole'];
      let tokenFor: Api['tokenFor'];
      ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld());
      acme = world.orgId;
      auditor = await userWithRole(acme, 'auditor@acme.test', 'org-auditor');
      admin = await userWithRole(acme, 'admin@acme.test', 'org-admin');
      auditorToken = await tokenFor(auditor);
    });
    after(() => world.close());

    it('audits a 401 once per address and route, in the platform log', async () => {
      const problems: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await request(`${world.base}/api/v1/orgs/${acme}/users`, {
          headers: { authorization: 'Bearer not-a-token' },
        });
        assert.equal(res.status, 401);
        problems.push(JSON.parse(res.text).requestId);
      }
      const events = await denied(platformOrgId);
      assert.equal(events.length, 1);
      const [event] = events;
      assert.equal(event?.actor_type, 'anonymous');
      assert.ok(event?.actor_ip);
      assert.equal(event?.outcome, 'denied');
      assert.equal(event?.target_id, acme);
      assert.equal(event?.request_id, problems[0], 'the first refusal, as its caller was told');
      assert.deepEqual(JSON.parse(event?.details ?? '{}'), {
        method: 'GET',
        route: '/orgs/{orgId}/users',
        permission: 'users.read',
        status: 401,
        problem: 'api.unauthenticated',
        suppressed: 0,
      });
    });

    it("audits a 403 with the actor, in the caller's organization, and a handler's refusal too", async () => {
      const path = `/orgs/${acme}/users/${admin.id}/suspend`;
      for (let i = 0; i < 3; i++)
        assert.equal((await call('POST', path, auditorToken)).status, 403);
      const { token: key } = await withOrg(world.core.database, acme, (tx) =>
        world.auth.apiKeys.create(
          tx,
          acme,
          { name: 'reports', permissions: ['users.read'] },
          null,
          { type: 'operator', id: 'cli' },
        ),
      );
      assert.equal((await call('POST', path, key)).status, 403);
      // Past the permission check, refused by the handler: a user only, not a key.
      const { token: approver } = await withOrg(world.core.database, acme, (tx) =>
        world.auth.apiKeys.create(
          tx,
          acme,
          { name: 'approver', permissions: ['access.approve'] },
          null,
          { type: 'operator', id: 'cli' },
        ),
      );
      const missing = '01900000-0000-7000-8000-000000000000';
      const approve = await call(
        'POST',
        `/orgs/${acme}/access-requests/${missing}/approve`,
        approver,
        { note: 'ok' },
      );
      assert.equal(approve.status, 403, approve.text);
      const events = (await denied(acme)).map((e) => ({
        actor: e.actor_type,
        id: e.actor_type === 'user' ? e.actor_id : 'key',
        ...(JSON.parse(e.details) as { route: string; permission: string; problem: string }),
      }));
      assert.deepEqual(
        events.map((e) => [e.actor, e.id, e.route, e.permission, e.problem]),
        [
          [
            'user',
            auditor.id,
            '/orgs/{orgId}/users/{userId}/suspend',
            'users.deactivate',
            'rbac.forbidden',
          ],
          [
            'api_key',
            'key',
            '/orgs/{orgId}/users/{userId}/suspend',
            'users.deactivate',
            'rbac.forbidden',
          ],
          [
            'api_key',
            'key',
            '/orgs/{orgId}/access-requests/{requestId}/approve',
            'access.approve',
            'api.user_required',
          ],
        ],
      );
    });
  });
});
