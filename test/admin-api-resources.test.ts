import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { operatorActor, platformOrgId, withOrg } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;

const json = <T = Record<string, unknown>>(res: { text: string }) => JSON.parse(res.text) as T;

describe('admin REST API resources', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let userWithRole: Api['userWithRole'];
  let tokenFor: Api['tokenFor'];
  let acme: string;
  let admin: string;
  let auditor: string;
  let platformAdmin: string;
  const client = { ip: '203.0.113.7', userAgent: 'admin-api-resources test' };

  before(async () => {
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld());
    acme = world.orgId;
    admin = await tokenFor(await userWithRole(acme, 'admin@acme.test', 'org-admin'));
    auditor = await tokenFor(await userWithRole(acme, 'auditor@acme.test', 'org-auditor'));
    platformAdmin = await tokenFor(
      await userWithRole(platformOrgId, 'root@platform.test', 'platform-admin'),
    );
  });
  after(() => world.close());

  /** The audit events of acme with this action, newest first, as the API lists them. */
  async function events(action: string) {
    const res = await call('GET', `/orgs/${acme}/audit-events?action=${action}`, auditor);
    assert.equal(res.status, 200, res.text);
    return json<{ items: { action: string; target: { id: string }; details: never }[] }>(res).items;
  }

  it('updates a user only with a current If-Match, audited with before and after', async () => {
    const user = await world.auth.createUser(acme, 'fay@acme.test', 'Correct-Horse-Battery-9');
    const path = `/orgs/${acme}/users/${user.id}`;
    const read = await call('GET', path, admin);
    const etag = String(read.headers.etag);
    assert.match(etag, /^W\/"v\d+"$/);
    const change = { displayName: 'Fay Wray' };
    assert.equal((await call('PATCH', path, admin, change)).status, 428);
    const bad = await call('PATCH', path, admin, { email: 'not-an-email' }, { 'if-match': etag });
    assert.equal(bad.status, 400);
    const changed = await call('PATCH', path, admin, change, { 'if-match': etag });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(json(changed).displayName, 'Fay Wray');
    assert.notEqual(changed.headers.etag, etag);
    const stale = await call('PATCH', path, admin, { displayName: 'F.' }, { 'if-match': etag });
    assert.equal(stale.status, 412, 'a change made on a stale read is refused');
    assert.equal(json(await call('GET', path, admin)).displayName, 'Fay Wray');
    const [event] = (await events('user.updated')).filter((e) => e.target.id === user.id);
    assert.deepEqual(event?.details, {
      before: { displayName: 'fay' },
      after: { displayName: 'Fay Wray' },
    });
  });

  it('versions each policy: If-Match required, bad settings refused field by field, presets', async () => {
    const path = `/orgs/${acme}/policies/mfa`;
    const read = await call('GET', path, auditor);
    assert.equal(read.status, 200);
    assert.deepEqual(json(read), {
      version: 0,
      policy: { required: false, gracePeriodDays: null },
    });
    assert.equal(read.headers.etag, 'W/"v0"');
    const next = { required: true, gracePeriodDays: 7 };
    assert.equal((await call('PUT', path, admin, next)).status, 428);
    assert.equal((await call('PUT', path, auditor, next, { 'if-match': 'W/"v0"' })).status, 403);
    const bad = await call('PUT', path, admin, { required: 'yes' }, { 'if-match': 'W/"v0"' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /required/);
    const put = await call('PUT', path, admin, next, { 'if-match': 'W/"v0"' });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.headers.etag, 'W/"v1"');
    assert.equal((await call('PUT', path, admin, next, { 'if-match': 'W/"v0"' })).status, 412);
    const [changed] = await events('policy.mfa.changed');
    assert.deepEqual(changed?.details, {
      version: 1,
      before: { required: false, gracePeriodDays: null },
      after: next,
    });
    const preset = await call(
      'PUT',
      `/orgs/${acme}/policies/password`,
      admin,
      { preset: 'nist-800-63b-4' },
      { 'if-match': 'W/"v0"' },
    );
    assert.equal(preset.status, 200, preset.text);
    assert.equal(json<{ policy: { preset: string } }>(preset).policy.preset, 'nist-800-63b-4');
    // Every setting a preset stands for, to show what picking it changes before sending it.
    const presets = await call('GET', `/orgs/${acme}/policies/password/presets`, auditor);
    assert.equal(presets.status, 200, presets.text);
    const listed = json<{ items: { name: string; policy: { preset: string } }[] }>(presets).items;
    assert.deepEqual(
      listed.map((p) => p.name),
      ['soc2-baseline', 'nist-800-63b-4', 'pci-dss-4'],
    );
    assert.deepEqual(
      listed.find((p) => p.name === 'nist-800-63b-4')?.policy,
      json<{ policy: unknown }>(preset).policy,
    );
    // Back to no MFA requirement, for the sign-ins of the next test.
    await call(
      'PUT',
      path,
      admin,
      { required: false, gracePeriodDays: null },
      { 'if-match': 'W/"v1"' },
    );
  });

  it('help desk: lockout lifted, temporary password, second factors reset, sessions ended', async () => {
    const user: User = await world.auth.createUser(
      acme,
      'gus@acme.test',
      'Correct-Horse-Battery-9',
    );
    const base = `/orgs/${acme}/users/${user.id}`;
    const lockout = await call('GET', `/orgs/${acme}/policies/lockout`, admin);
    const locking = { ...json<{ policy: object }>(lockout).policy, threshold: 3 };
    const put = await call('PUT', `/orgs/${acme}/policies/lockout`, admin, locking, {
      'if-match': String(lockout.headers.etag),
    });
    assert.equal(put.status, 200, put.text);
    const signIn = (password: string) =>
      world.auth.signIn.passwordStep({ email: user.email, password, orgSlug: 'acme' }, client);
    for (let i = 0; i < 3; i++) assert.equal((await signIn('wrong password!')).kind, 'failed');
    assert.equal((await signIn('Correct-Horse-Battery-9')).kind, 'failed', 'locked');
    const unlocked = await call('POST', `${base}/unlock`, admin);
    assert.deepEqual(json(unlocked), { wasLocked: true });
    assert.equal((await signIn('Correct-Horse-Battery-9')).kind, 'signed_in');

    // A session, a TOTP factor: what an administrator resets for a person who lost their phone.
    await withOrg(world.core.database, acme, async (tx) => {
      const started = await world.auth.mfa.startTotp(tx, user);
      await tx
        .updateTable('mfa_factors')
        .set({ confirmed_at: new Date() })
        .where('id', '=', started.factorId)
        .execute();
    });
    const sessions = json<{ items: { userId: string }[] }>(
      await call('GET', `${base}/sessions`, auditor),
    );
    assert.equal(sessions.items.length, 1);
    const factors = json<{ items: { kind: string }[] }>(
      await call('GET', `${base}/factors`, auditor),
    );
    assert.deepEqual(
      factors.items.map((f) => f.kind),
      ['totp'],
    );
    assert.ok(!/secret/i.test(JSON.stringify(factors)), 'never a seed');
    assert.equal((await call('POST', `${base}/factors/reset`, admin, {})).status, 400, 'a reason');
    const reset = await call('POST', `${base}/factors/reset`, admin, { reason: 'lost phone' });
    assert.deepEqual(json(reset), { removed: 1, sessionsEnded: 1 });
    assert.equal(
      json<{ items: [] }>(await call('GET', `${base}/factors`, auditor)).items.length,
      0,
    );
    assert.equal(
      json<{ items: [] }>(await call('GET', `${base}/sessions`, auditor)).items.length,
      0,
    );

    const weak = await call('POST', `${base}/password`, admin, { temporaryPassword: 'password1' });
    assert.equal(weak.status, 400);
    assert.equal(json(weak).code, 'password.policy');
    const temporary = 'Lantern-Orbit-Cactus-42';
    const set = await call('POST', `${base}/password`, admin, { temporaryPassword: temporary });
    assert.equal(set.status, 200, set.text);
    const next = await signIn(temporary);
    assert.equal(next.kind, 'continue');
    assert.equal(next.kind === 'continue' && next.stage, 'password_change', 'changed at once');
    // Without one, Vigil draws it and answers it this once.
    const drawn = json<{ temporaryPassword: string }>(
      await call('POST', `${base}/password`, admin, {}),
    );
    assert.match(drawn.temporaryPassword, /^(\w{5}-){3,}\w{5}$/);
    const afterDrawn = await signIn(drawn.temporaryPassword);
    assert.equal(afterDrawn.kind === 'continue' && afterDrawn.stage, 'password_change');
    assert.equal(
      json<{ temporaryPassword?: string }>(set).temporaryPassword,
      undefined,
      'a given one is never echoed',
    );
    assert.equal((await events('mfa.factors.reset'))[0]?.target.id, user.id);
  });

  it('ends every session of a user, or of the whole organization', async () => {
    const user = await world.auth.createUser(acme, 'hal@acme.test', 'Correct-Horse-Battery-9');
    for (let i = 0; i < 2; i++)
      await withOrg(world.core.database, acme, (tx) =>
        world.auth.sessions.create(
          tx,
          { user, amr: ['pwd'], acr: 'urn:vigil:acr:pwd' },
          operatorActor,
        ),
      );
    const ended = await call('POST', `/orgs/${acme}/users/${user.id}/sessions/end`, admin);
    assert.deepEqual(json(ended), { ended: 2 });
    await withOrg(world.core.database, acme, (tx) =>
      world.auth.sessions.create(
        tx,
        { user, amr: ['pwd'], acr: 'urn:vigil:acr:pwd' },
        operatorActor,
      ),
    );
    const all = await call('POST', `/orgs/${acme}/sessions/end`, admin);
    assert.ok(json<{ ended: number }>(all).ended >= 1);
    const live = await withOrg(world.core.database, acme, (tx) =>
      tx.selectFrom('sessions').select('id').where('ended_at', 'is', null).execute(),
    );
    assert.equal(live.length, 0);
  });

  it('registers OAuth clients: the secret once, rotated, disabled; another org cannot see them', async () => {
    const created = await call('POST', `/orgs/${acme}/clients`, admin, {
      name: 'Billing portal',
      kind: 'web',
      redirectUris: ['https://billing.example.com/callback'],
    });
    assert.equal(created.status, 201, created.text);
    const { client, secret } = json<{ client: { id: string }; secret: string }>(created);
    assert.ok(secret.length >= 43, '256 bits');
    const listed = await call('GET', `/orgs/${acme}/clients`, auditor);
    assert.ok(json<{ items: { id: string }[] }>(listed).items.some((c) => c.id === client.id));
    assert.ok(!listed.text.includes(secret), 'never listed');
    const rotated = await call('POST', `/orgs/${acme}/clients/${client.id}/rotate-secret`, admin);
    assert.notEqual(json<{ secret: string }>(rotated).secret, secret);
    const disabled = await call('POST', `/orgs/${acme}/clients/${client.id}/disable`, admin);
    assert.equal(json(disabled).status, 'disabled');
    const globex = await world.core.createOrg('globex');
    const outsider = await tokenFor(await userWithRole(globex, 'admin@globex.test', 'org-admin'));
    const elsewhere = await call('GET', `/orgs/${globex}/clients/${client.id}`, outsider);
    assert.equal(elsewhere.status, 404, 'not in this organization');
  });

  it('removes assignments and conflict rules, each with its audit event', async () => {
    const user = await world.auth.createUser(acme, 'ivy@acme.test', 'Correct-Horse-Battery-9');
    const assigned = await call('POST', `/orgs/${acme}/assignments`, admin, {
      userId: user.id,
      roleKey: 'org-auditor',
      reason: 'quarterly audit',
    });
    assert.equal(assigned.status, 201, assigned.text);
    const held = json<{ items: { userId: string; roleKey: string }[] }>(
      await call('GET', `/orgs/${acme}/assignments?userId=${user.id}`, auditor),
    );
    assert.deepEqual(
      held.items.map((a) => [a.userId, a.roleKey]),
      [[user.id, 'org-auditor']],
      "one user's assignments alone",
    );
    const everybody = await call('GET', `/orgs/${acme}/assignments`, auditor);
    assert.ok(json<{ items: unknown[] }>(everybody).items.length > 1);
    assert.equal(
      (await call('GET', `/orgs/${acme}/assignments?userId=nobody`, auditor)).status,
      400,
    );
    const path = `/orgs/${acme}/users/${user.id}/roles/org-auditor`;
    assert.equal((await call('DELETE', path, admin)).status, 400, 'a reason is required');
    const removed = await call('DELETE', `${path}?reason=audit%20done`, admin);
    assert.equal(removed.status, 200, removed.text);
    assert.equal((await call('DELETE', `${path}?reason=again`, admin)).status, 404);
    assert.equal((await events('role.unassigned'))[0]?.target.id, user.id);

    const rule = await call('POST', `/orgs/${acme}/conflict-rules`, admin, {
      name: 'Auditors do not grant',
      description: 'Whoever audits access must not grant it.',
      roles: ['org-auditor'],
      permissions: ['roles.assign'],
    });
    const { id } = json<{ id: string }>(rule);
    assert.equal((await call('DELETE', `/orgs/${acme}/conflict-rules/${id}`, admin)).status, 200);
    const rules = json<{ items: { id: string }[] }>(
      await call('GET', `/orgs/${acme}/conflict-rules`, auditor),
    );
    assert.ok(!rules.items.some((r) => r.id === id));
    assert.equal((await events('conflict_rule.deleted'))[0]?.target.id, id);
  });

  it('lets a member ask for a role; only someone else with access.approve grants it', async () => {
    const member = await userWithRole(acme, 'jo@acme.test', 'member');
    const owner = await tokenFor(await userWithRole(acme, 'owner@acme.test', 'org-owner'));
    const mine = await tokenFor(member);
    const asked = await call('POST', `/orgs/${acme}/access-requests`, mine, {
      roleKey: 'org-auditor',
      reason: 'helping with the yearly audit',
    });
    assert.equal(asked.status, 202, asked.text);
    const { requestId } = json<{ requestId: string }>(asked);
    const approve = (token: string) =>
      call('POST', `/orgs/${acme}/access-requests/${requestId}/approve`, token, { note: 'ok' });
    assert.equal((await approve(mine)).status, 403, 'a member cannot approve');
    assert.equal((await approve(admin)).status, 403, 'nor can an org-admin');
    const approved = await approve(owner);
    assert.equal(approved.status, 200, approved.text);
    const again = await call('POST', `/orgs/${acme}/access-requests`, mine, {
      roleKey: 'org-auditor',
      reason: 'again',
    });
    assert.equal(again.status, 409);
    const roles = await withOrg(world.core.database, acme, (tx) =>
      world.auth.identity.roleKeysOf(tx, member.id),
    );
    assert.deepEqual(roles.sort(), ['member', 'org-auditor']);
  });

  it('pages the audit log with filters, and exports it (the export is itself audited)', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(
        'GET',
        `/orgs/${acme}/audit-events?action=user.*&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        auditor,
      );
      assert.equal(res.status, 200, res.text);
      const body = json<{ items: { id: string; action: string }[]; nextCursor: string | null }>(
        res,
      );
      assert.ok(body.items.length <= 2);
      assert.ok(body.items.every((e) => e.action.startsWith('user.')));
      seen.push(...body.items.map((e) => e.id));
      cursor = body.nextCursor;
    } while (cursor);
    assert.ok(seen.length > 2, 'several pages');
    assert.equal(new Set(seen).size, seen.length);
    const bad = await call('GET', `/orgs/${acme}/audit-events?cursor=nope`, auditor);
    assert.equal(bad.status, 400);

    const jsonl = await call('GET', `/orgs/${acme}/audit-events/export`, auditor);
    assert.equal(jsonl.status, 200);
    assert.match(String(jsonl.headers['content-type']), /application\/x-ndjson/);
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { orgId: string });
    assert.ok(lines.length > 10);
    assert.ok(
      lines.every((e) => e.orgId === acme),
      'this organization only',
    );
    const csv = await call('GET', `/orgs/${acme}/audit-events/export?format=csv`, auditor);
    assert.match(csv.text, /^id,occurred_at,org_id,/);
    assert.equal((await events('audit.exported')).length, 2);

    const users = await call('GET', `/orgs/${acme}/exports/user-access?format=csv`, auditor);
    assert.match(String(users.headers['content-type']), /text\/csv/);
    assert.match(users.text, /^user_id,email,name,status,roles,privileged,mfa_enrolled,/);
    assert.match(users.text, /auditor@acme\.test,[^,]*,active,org-auditor,false,/);
    const matrix = json<{ roles: { key: string; purpose: string }[] }>(
      await call('GET', `/orgs/${acme}/exports/permission-matrix`, auditor),
    );
    assert.ok(matrix.roles.find((r) => r.key === 'org-auditor')?.purpose);
  });

  it('creates organizations for platform administrators only, with clear errors', async () => {
    const created = await call('POST', '/orgs', platformAdmin, {
      slug: 'initech',
      name: 'Initech',
    });
    assert.equal(created.status, 201, created.text);
    const again = await call('POST', '/orgs', platformAdmin, { slug: 'initech', name: 'Again' });
    assert.equal(again.status, 409);
    const bad = await call('POST', '/orgs', platformAdmin, { slug: 'No Spaces', name: 'x' });
    assert.equal(bad.status, 400);
    assert.equal((await call('POST', '/orgs', admin, { slug: 'x-corp', name: 'X' })).status, 403);
    const own = await call('GET', `/orgs/${acme}`, auditor);
    assert.equal(json(own).slug, 'acme');
  });
});
