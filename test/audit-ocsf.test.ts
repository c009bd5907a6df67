import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type AuditEvent,
  type OcsfEvent,
  ocsfClasses,
  ocsfVersion,
  toOcsf,
} from '../src/audit/index.ts';
import { auditActions, newId } from '../src/platform/index.ts';
import { cliStore } from './support/cli.ts';

const userId = newId();
const occurredAt = new Date('2026-03-01T10:00:00.123Z');

function eventOf(action: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: newId(),
    orgId: newId(),
    occurredAt,
    actor: { type: 'user', id: userId, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 test' },
    action,
    target: { type: 'user', id: userId },
    outcome: 'success',
    requestId: 'req-1',
    details: {},
    ...overrides,
  };
}

const severityNames = ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical', 'Fatal'];

/** What every OCSF event of every class carries, and the fields its class requires. */
function assertValid(ocsf: OcsfEvent, e: AuditEvent) {
  const where = `${e.action} → ${ocsf.type_name}`;
  const cls = Object.values(ocsfClasses).find((c) => c.uid === ocsf.class_uid);
  assert.ok(cls, `${where}: a known class`);
  assert.equal(ocsf.class_name, cls.name, where);
  assert.equal(ocsf.category_uid, Math.floor(ocsf.class_uid / 1000), where);
  const activities: Record<string, number> = cls.activities;
  assert.equal(activities[String(ocsf.activity_name)], ocsf.activity_id, where);
  assert.equal(ocsf.type_uid, ocsf.class_uid * 100 + ocsf.activity_id, where);
  assert.equal(ocsf.type_name, `${cls.name}: ${ocsf.activity_name}`, where);
  assert.ok(ocsf.severity_id >= 1 && ocsf.severity_id <= 6, where);
  assert.equal(ocsf.severity, severityNames[ocsf.severity_id], where);
  assert.equal(ocsf.status_id, e.outcome === 'success' ? 1 : 2, where);
  assert.equal(ocsf.status, e.outcome === 'success' ? 'Success' : 'Failure', where);
  assert.equal(ocsf.time, occurredAt.getTime(), where);
  assert.equal(ocsf.metadata.version, ocsfVersion, where);
  assert.deepEqual(ocsf.metadata.product, { name: 'Vigil', vendor_name: 'Vigil' }, where);
  assert.equal(ocsf.metadata.uid, e.id, where);
  assert.deepEqual(ocsf.unmapped.vigil, e, `${where}: the original event`);
  const required: Record<number, string[]> = {
    3001: ['user'],
    3002: ['user', 'service'],
    3004: ['entity'],
    3005: ['user', 'privileges'],
    3006: ['group'],
    6003: ['actor', 'api', 'src_endpoint'],
  };
  for (const field of required[ocsf.class_uid] ?? [])
    assert.ok(ocsf[field] !== undefined, `${where}: ${field}`);
}

describe('OCSF mapping of the audit log', () => {
  it('maps every action of the catalog to a valid OCSF event, success and failure alike', () => {
    for (const action of Object.keys(auditActions)) {
      for (const outcome of ['success', 'failure', 'denied'] as const) {
        const e = eventOf(action, { outcome });
        assertValid(toOcsf(e), e);
      }
    }
  });

  it('an action the catalog does not know yet still maps (Entity Management by its verb)', () => {
    const created = toOcsf(eventOf('widget.thing.created'));
    assert.equal(created.type_uid, 300401);
    const odd = toOcsf(eventOf('widget.frobbed', { target: { type: null, id: null } }));
    assert.equal(odd.type_uid, 300499);
    assert.deepEqual(odd.entity, { type: 'widget' });
  });

  it('sign-ins and sign-outs are Authentication, with user, address and user agent', () => {
    const login = toOcsf(eventOf('auth.login.succeeded', { details: { sessionId: 's1' } }));
    assert.equal(login.type_uid, 300201);
    assert.deepEqual(login.user, { uid: userId });
    assert.deepEqual(login.src_endpoint, { ip: '203.0.113.7' });
    assert.deepEqual(login.http_request, { user_agent: 'Mozilla/5.0 test' });
    assert.deepEqual(login.session, { uid: 's1' });
    const failed = toOcsf(
      eventOf('auth.login.failed', {
        outcome: 'failure',
        target: { type: null, id: null },
        actor: { type: 'anonymous', id: null, ip: '198.51.100.2', userAgent: null },
        details: { email: 'who@example.com', reason: 'unknown_user' },
      }),
    );
    assert.equal(failed.type_uid, 300201);
    assert.equal(failed.status_id, 2);
    assert.equal(failed.status_detail, 'unknown_user');
    assert.equal(failed.severity_id, 2);
    assert.deepEqual(failed.user, { name: 'who@example.com', email_addr: 'who@example.com' });
    const mfa = toOcsf(eventOf('auth.mfa.succeeded'));
    assert.equal(mfa.is_mfa, true);
    assert.equal(toOcsf(eventOf('session.ended')).type_uid, 300202);
    assert.equal(toOcsf(eventOf('oauth.logout')).type_uid, 300202);
  });

  it('account, access and group changes get their own classes and activities', () => {
    const cases: [string, number, Partial<AuditEvent>?][] = [
      ['user.created', 300101],
      ['user.suspended', 300105],
      ['user.reactivated', 300102],
      ['user.password.changed', 300103],
      ['auth.password_reset.completed', 300104],
      ['auth.account.locked', 300109],
      ['auth.account.unlocked', 300112],
      ['mfa.factor.enrolled', 300110],
      ['mfa.factors.reset', 300111],
      ['role.assigned', 300501, { details: { role: 'org-admin', privileged: true } }],
      ['role.unassigned', 300502],
      ['access_request.approved', 300501],
      ['scim.group.created', 300606],
      ['scim.group.deleted', 300605],
      ['scim.group.members_changed', 300603, { details: { added: ['u1'], removed: [] } }],
      ['scim.group.members_changed', 300604, { details: { added: [], removed: ['u1'] } }],
      ['scim.group.roles_changed', 300601, { details: { before: [], after: ['auditor'] } }],
      ['scim.group.roles_changed', 300602, { details: { before: ['auditor'], after: [] } }],
      ['apikey.created', 300401],
      ['apikey.revoked', 300409],
      ['oauth.client.created', 300401],
      ['org.suspended', 300412],
      ['org.reactivated', 300413],
      ['oauth.token.issued', 600301],
      ['oauth.token.revoked', 600304],
      ['audit.exported', 600302],
      ['api.request.denied', 600301, { outcome: 'denied', details: { method: 'POST' } }],
      ['api.request.denied', 600302, { outcome: 'denied', details: { method: 'GET' } }],
    ];
    for (const [action, typeUid, overrides] of cases)
      assert.equal(toOcsf(eventOf(action, overrides)).type_uid, typeUid, action);
    const granted = toOcsf(
      eventOf('role.assigned', { details: { role: 'org-admin', privileged: true } }),
    );
    assert.deepEqual(granted.privileges, ['org-admin']);
    assert.equal(granted.severity_id, 3, 'a privileged role is worth a look');
    const denied = toOcsf(eventOf('api.request.denied', { outcome: 'denied', details: {} }));
    assert.equal(denied.status_detail, 'denied');
  });

  it('marks a resent event as a possible duplicate', () => {
    const e = eventOf('user.created');
    assert.equal(toOcsf(e).unmapped.possible_duplicate, undefined);
    assert.equal(toOcsf(e, { possibleDuplicate: true }).unmapped.possible_duplicate, true);
  });
});

describe('vigil audit export --format ocsf', () => {
  const store = cliStore({ migrated: true });
  before(() => store.open());
  after(() => store.close());

  it('writes JSON Lines of OCSF events, one per audit event', async () => {
    const created = await store.vigil(['orgs', 'create', '--slug', 'ocsfco', '--name', 'Ocsf Co']);
    assert.equal(created.code, 0, created.stderr);
    const native = await store.vigil(['audit', 'export']);
    const ocsf = await store.vigil(['audit', 'export', '--format', 'ocsf']);
    assert.equal(ocsf.code, 0, ocsf.stderr);
    const events = native.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    const lines = ocsf.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as OcsfEvent);
    assert.deepEqual(
      lines.map((l) => l.metadata.uid),
      events.map((e) => e.id),
    );
    const org = lines.find((l) => l.metadata.event_code === 'org.created');
    assert.equal(org?.type_uid, 300401);
    assert.equal(org?.metadata.version, ocsfVersion);
  });
});
