import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import {
  type AuditActor,
  fixedClock,
  isAppError,
  operatorActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import type { ScimCall } from '../src/scim/call.ts';
import { createScimGroups, type ScimGroupAnswer, type ScimGroups } from '../src/scim/groups.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { recordStatements } from './support/database.ts';
import { coreGroup, patchOp } from './support/scim-directories.ts';

const directory: AuditActor = { type: 'scim_token', id: 'token-under-test' };
const password = 'Correct-Horse-Battery-9';

/**
 * The Groups use cases below HTTP: what a member change costs in statements, who is handed to
 * the group roles' sync, what is audited, and what a refused change leaves behind.
 */
describe('SCIM group members: batched changes, the sync of the users who moved, audit', () => {
  const clock = fixedClock(new Date('2026-12-04T09:00:00Z'));
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let service: ScimGroups;
  let acme: string;
  let globex: string;
  let ann: User;
  let ben: User;
  let olga: User;
  /** Every call of the sync: the users it was given, and whether the group change was visible. */
  const synced: { userIds: string[]; memberRows: number }[] = [];

  const refused = (code: string, scimDetail?: RegExp) => (err: unknown) =>
    isAppError(err) && err.code === code && (!scimDetail || scimDetail.test(err.message));
  /** The events of an action in the order they were written, their details parsed. */
  const eventsOf = async (action: string) =>
    (
      await withPlatform(core.database, (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['details', 'target_id', 'actor_type'])
          .where('action', '=', action)
          .orderBy('seq')
          .execute(),
      )
    ).map((event) => ({ ...event, details: JSON.parse(event.details) as Record<string, unknown> }));
  /** The directory's calls in an organization, as the SCIM routes make them. */
  const callIn = (orgId: string, actor: AuditActor = directory): ScimCall => ({
    orgId,
    orgSlug: orgId === acme ? 'acme' : 'globex',
    actor,
    base: 'https://vigil.test/scim/v2',
  });
  /** What a test reads of an answer: the id, the name, the members and the version's time. */
  const viewOf = ({ resource }: ScimGroupAnswer) => ({
    id: String(resource.id),
    displayName: String(resource.displayName),
    members: (resource.members as { value: string; display: string }[] | undefined)?.map(
      ({ value, display }) => ({ value, display }),
    ),
    lastModified: new Date(String((resource.meta as { lastModified: string }).lastModified)),
  });
  const groups = {
    create: async (orgId: string, body: unknown, actor: AuditActor) =>
      viewOf(await service.create(callIn(orgId, actor), body)),
    get: async (orgId: string, id: string, options: { members: boolean }) =>
      viewOf(await service.get(callIn(orgId), id, options)),
    patch: async (orgId: string, id: string, body: unknown, actor: AuditActor) =>
      viewOf(await service.patch(callIn(orgId, actor), id, body)),
    replace: async (orgId: string, id: string, body: unknown, actor: AuditActor) =>
      viewOf(await service.replace(callIn(orgId, actor), id, body)),
    remove: (orgId: string, id: string, actor: AuditActor) =>
      service.remove(callIn(orgId, actor), id),
  };
  const groupBody = (displayName: string, members: string[] = []) => ({
    schemas: [coreGroup],
    displayName,
    members: members.map((value) => ({ value })),
  });

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    ann = await auth.createUser(acme, 'ann@acme.test', password);
    ben = await auth.createUser(acme, 'ben@acme.test', password);
    olga = await auth.createUser(globex, 'olga@globex.test', password);
    service = createScimGroups({
      audit: core.audit.record,
      clock,
      database: core.database,
      // The sync runs inside the change's transaction: it sees the new membership.
      syncUsers: async (tx, _orgId, userIds) => {
        const rows = await tx.selectFrom('scim_group_members').select('user_id').execute();
        synced.push({ userIds: [...userIds].sort(), memberRows: rows.length });
      },
    });
  });
  after(() => core.close());

  it('creates a group with members, audits both, and syncs the members in the same transaction', async () => {
    synced.length = 0;
    const group = await groups.create(acme, groupBody('Engineering', [ann.id]), directory);
    assert.deepEqual(group.members, [{ value: ann.id, display: 'ann' }]);
    assert.deepEqual(synced, [{ userIds: [ann.id], memberRows: 1 }]);
    const [created] = (await eventsOf('scim.group.created')).slice(-1);
    assert.equal(created?.target_id, group.id);
    assert.equal(created?.actor_type, 'scim_token');
    const [moved] = (await eventsOf('scim.group.members_changed')).slice(-1);
    assert.deepEqual(moved?.details, { displayName: 'Engineering', added: [ann.id], removed: [] });
  });

  it('adds a thousand members with one insert, not a thousand', async () => {
    const many = await withOrg(core.database, acme, async (tx) => {
      const ids = Array.from({ length: 1000 }, () => crypto.randomUUID());
      const now = clock.now();
      await tx
        .insertInto('users')
        .values(
          ids.map((id, i) => ({
            id,
            org_id: acme,
            email: `bulk${i}@acme.test`,
            display_name: `Bulk ${i}`,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
      return ids;
    });
    const group = await groups.create(acme, groupBody('Everyone'), directory);
    synced.length = 0;
    const recorded = recordStatements();
    const patched = await groups.patch(
      acme,
      group.id,
      {
        schemas: [patchOp],
        Operations: [{ op: 'Add', path: 'members', value: many.map((value) => ({ value })) }],
      },
      directory,
    );
    recorded.stop();
    assert.equal(patched.members?.length, 1000);
    const inserts = recorded.statements.filter((s) => /insert into "?scim_group_members/i.test(s));
    assert.equal(inserts.length, 1, 'one statement adds every member');
    const userReads = recorded.statements.filter(
      (s) => /from "?users"? /i.test(s) && /any\(/i.test(s),
    );
    assert.equal(userReads.length, 1, 'one statement checks every member is a user');
    assert.equal(synced.length, 1);
    assert.equal(synced[0]?.userIds.length, 1000);
  });

  it('refuses a member of another organization or a made-up id, and changes nothing', async () => {
    const group = await groups.create(acme, groupBody('Support', [ben.id]), directory);
    for (const stranger of [olga.id, '0190f5d2-0000-7000-8000-000000000000', 'not-a-uuid']) {
      synced.length = 0;
      await assert.rejects(
        groups.patch(
          acme,
          group.id,
          {
            schemas: [patchOp],
            Operations: [
              { op: 'replace', path: 'displayName', value: 'Renamed' },
              { op: 'add', path: 'members', value: [{ value: ann.id }, { value: stranger }] },
            ],
          },
          directory,
        ),
        refused('scim.invalid_value'),
      );
      assert.equal(synced.length, 0);
    }
    const after = await groups.get(acme, group.id, { members: true });
    assert.equal(after.displayName, 'Support');
    assert.deepEqual(after.members, [{ value: ben.id, display: 'ben' }]);
    assert.equal(after.lastModified.getTime(), group.lastModified.getTime());
  });

  it('refuses a group as a member (no nested groups)', async () => {
    const inner = await groups.create(acme, groupBody('Inner'), directory);
    await assert.rejects(
      groups.create(acme, groupBody('Outer', [inner.id]), directory),
      refused('scim.invalid_value', /groups cannot be members/),
    );
  });

  it('applies a PATCH net of its operations: only the users who really moved are synced and audited', async () => {
    const group = await groups.create(acme, groupBody('Ops', [ann.id]), directory);
    synced.length = 0;
    const patched = await groups.patch(
      acme,
      group.id,
      {
        schemas: [patchOp],
        Operations: [
          { op: 'add', path: 'members', value: [{ value: ben.id }] },
          { op: 'remove', path: `members[value eq "${ben.id}"]` },
          { op: 'add', path: 'members', value: [{ value: ann.id }] },
        ],
      },
      directory,
    );
    assert.deepEqual(patched.members, [{ value: ann.id, display: 'ann' }]);
    assert.equal(patched.lastModified.getTime(), group.lastModified.getTime(), 'nothing changed');
    assert.deepEqual(synced, []);
  });

  it('a replace of the members adds and removes the difference only', async () => {
    const group = await groups.create(acme, groupBody('Sales', [ann.id]), directory);
    synced.length = 0;
    const replaced = await groups.replace(acme, group.id, groupBody('Sales', [ben.id]), directory);
    assert.deepEqual(replaced.members, [{ value: ben.id, display: 'ben' }]);
    assert.deepEqual(
      synced.map((s) => s.userIds),
      [[ann.id, ben.id].sort()],
    );
    const [moved] = (await eventsOf('scim.group.members_changed')).slice(-1);
    assert.deepEqual(moved?.details, { displayName: 'Sales', added: [ben.id], removed: [ann.id] });
    assert.ok(replaced.lastModified > group.lastModified, 'a change gives a new version');
  });

  it('deleting a group syncs its former members after they left', async () => {
    const group = await groups.create(acme, groupBody('Temporary', [ann.id, ben.id]), directory);
    const before = await withOrg(core.database, acme, (tx) =>
      tx.selectFrom('scim_group_members').select('user_id').execute(),
    );
    synced.length = 0;
    await groups.remove(acme, group.id, directory);
    assert.deepEqual(synced, [{ userIds: [ann.id, ben.id].sort(), memberRows: before.length - 2 }]);
    const [deleted] = (await eventsOf('scim.group.deleted')).slice(-1);
    assert.equal(deleted?.target_id, group.id);
    const former = (deleted?.details.members ?? []) as string[];
    assert.deepEqual([...former].sort(), [ann.id, ben.id].sort());
    await assert.rejects(
      groups.get(acme, group.id, { members: false }),
      refused('scim.group_not_found'),
    );
  });

  it('keeps organizations apart: another organization cannot read or change the group', async () => {
    const group = await groups.create(acme, groupBody('Private', [ann.id]), directory);
    await assert.rejects(
      groups.get(globex, group.id, { members: true }),
      refused('scim.group_not_found'),
    );
    await assert.rejects(
      groups.remove(globex, group.id, operatorActor),
      refused('scim.group_not_found'),
    );
    assert.equal((await groups.get(acme, group.id, { members: false })).displayName, 'Private');
  });
});
