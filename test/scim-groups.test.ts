import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { operatorActor, type Tx, withOrg, withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import type { Response } from './support/http.ts';
import { type ScimWorld, startScimWorld } from './support/scim.ts';
import { coreGroup, listResponse, patchOp, query } from './support/scim-directories.ts';

const errorSchema = 'urn:ietf:params:scim:api:messages:2.0:Error';
const password = 'Correct-Horse-Battery-9';

/** A SCIM error answer: the status, the error schema, and the scimType when one is expected. */
function refused(res: Response, status: number, scimType?: string) {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
  const body = res.json();
  assert.deepEqual(body.schemas, [errorSchema]);
  assert.equal(body.status, String(status));
  if (scimType) assert.equal(body.scimType, scimType, body.detail);
  return body as { detail?: string };
}

/** The member ids of a Group answer, sorted. */
const memberIds = (group: { members?: { value: string }[] }) =>
  (group.members ?? []).map((m) => m.value).sort();

/** The conformance of /Groups (RFC 7644 §3), every endpoint, positive and negative. */
describe('SCIM Groups', () => {
  let world: ScimWorld;
  let ann: User;
  let ben: User;
  let cat: User;
  let olga: User;

  const createGroup = async (displayName: string, members: User[] = [], extra = {}) => {
    const res = await world.scim('POST', '/Groups', {
      schemas: [coreGroup],
      displayName,
      members: members.map((m) => ({ value: m.id })),
      ...extra,
    });
    assert.equal(res.status, 201, res.text);
    return res.json() as {
      id: string;
      displayName: string;
      members: { value: string; display: string; $ref: string; type: string }[];
      meta: { version: string; location: string; lastModified: string };
    };
  };
  const patch = (id: string, Operations: unknown[], headers?: Record<string, string>) =>
    world.scim('PATCH', `/Groups/${id}`, { schemas: [patchOp], Operations }, { headers });
  const groupCount = () =>
    withPlatform(world.core.database, async (tx) =>
      Number(
        (
          await tx
            .selectFrom('scim_groups')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );

  before(async () => {
    world = await startScimWorld();
    const auth = authServices(world.core);
    ann = await auth.createUser(world.orgs.acme, 'ann@acme.test', password);
    ben = await auth.createUser(world.orgs.acme, 'ben@acme.test', password);
    cat = await auth.createUser(world.orgs.acme, 'cat@acme.test', password);
    olga = await auth.createUser(world.orgs.globex, 'olga@globex.test', password);
  });
  after(() => world.close());

  describe('POST /Groups', () => {
    it('creates a group with its members: 201, Location, ETag, the resource', async () => {
      const res = await world.scim('POST', '/Groups', {
        schemas: [coreGroup],
        displayName: 'Engineering',
        externalId: 'entra-0001',
        members: [{ value: ann.id }, { value: ben.id, display: 'ignored' }],
      });
      assert.equal(res.status, 201, res.text);
      assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
      const group = res.json();
      assert.deepEqual(group.schemas, [coreGroup]);
      assert.equal(group.displayName, 'Engineering');
      assert.equal(group.externalId, 'entra-0001');
      assert.equal(res.headers.location, group.meta.location);
      assert.match(group.meta.location, new RegExp(`/scim/v2/acme/Groups/${group.id}$`));
      assert.equal(res.headers.etag, group.meta.version);
      assert.match(group.meta.version, /^W\/"\d+"$/);
      assert.equal(group.meta.resourceType, 'Group');
      assert.deepEqual(memberIds(group), [ann.id, ben.id].sort());
      const annAsMember = group.members.find((m: { value: string }) => m.value === ann.id);
      assert.equal(annAsMember.display, 'ann');
      assert.equal(annAsMember.type, 'User');
      assert.match(annAsMember.$ref, new RegExp(`/scim/v2/acme/Users/${ann.id}$`));
      const [created] = await world.events('scim.group.created', group.id);
      assert.equal(created?.actorType, 'scim_token');
      const [moved] = await world.events('scim.group.members_changed', group.id);
      assert.deepEqual(
        [...((moved?.details.added ?? []) as string[])].sort(),
        [ann.id, ben.id].sort(),
      );
    });

    it('refuses a body without the Group schema, without displayName, or not an object', async () => {
      const before = await groupCount();
      refused(
        await world.scim('POST', '/Groups', { displayName: 'No schema' }),
        400,
        'invalidSyntax',
      );
      refused(await world.scim('POST', '/Groups', { schemas: [coreGroup] }), 400, 'invalidValue');
      refused(
        await world.scim('POST', '/Groups', { schemas: [coreGroup], displayName: '  ' }),
        400,
        'invalidValue',
      );
      refused(await world.scim('POST', '/Groups', ['not', 'an', 'object']), 400, 'invalidSyntax');
      refused(
        await world.scim('POST', '/Groups', {
          schemas: [coreGroup],
          displayName: 'X',
          members: [{ id: 1 }],
        }),
        400,
        'invalidValue',
      );
      assert.equal(await groupCount(), before);
    });

    it('refuses members who are not users of the organization, and creates nothing', async () => {
      const before = await groupCount();
      for (const value of [olga.id, '0190f5d2-0000-7000-8000-000000000000', 'ann@acme.test']) {
        const body = refused(
          await world.scim('POST', '/Groups', {
            schemas: [coreGroup],
            displayName: 'Strangers',
            members: [{ value: ann.id }, { value }],
          }),
          400,
          'invalidValue',
        );
        assert.match(body.detail ?? '', /members/);
      }
      const inner = await createGroup('Inner');
      const nested = refused(
        await world.scim('POST', '/Groups', {
          schemas: [coreGroup],
          displayName: 'Outer',
          members: [{ value: inner.id, type: 'Group' }],
        }),
        400,
        'invalidValue',
      );
      assert.match(nested.detail ?? '', /only users/);
      assert.equal(await groupCount(), before + 1);
    });
  });

  describe('GET /Groups/{id}', () => {
    it('reads a group; excludedAttributes=members and attributes leave the members out', async () => {
      const group = await createGroup('Readers', [ann, cat]);
      const full = await world.scim('GET', `/Groups/${group.id}`);
      assert.equal(full.status, 200);
      assert.equal(full.headers.etag, group.meta.version);
      assert.deepEqual(memberIds(full.json()), [ann.id, cat.id].sort());

      const lean = (
        await world.scim('GET', `/Groups/${group.id}?excludedAttributes=members`)
      ).json();
      assert.equal(lean.members, undefined);
      assert.equal(lean.displayName, 'Readers');
      assert.equal(lean.id, group.id);

      const named = (await world.scim('GET', `/Groups/${group.id}?attributes=displayName`)).json();
      assert.deepEqual(Object.keys(named).sort(), ['displayName', 'id', 'schemas']);
      const withMembers = (
        await world.scim('GET', `/Groups/${group.id}?attributes=members.value`)
      ).json();
      assert.deepEqual(
        withMembers.members.map((m: { value: string }) => m.value).sort(),
        [ann.id, cat.id].sort(),
      );
    });

    it('answers 404 in SCIM format for an unknown id, a malformed id and another organization’s group', async () => {
      const group = await createGroup('Acme only');
      refused(await world.scim('GET', '/Groups/0190f5d2-0000-7000-8000-000000000000'), 404);
      refused(await world.scim('GET', '/Groups/not-an-id'), 404);
      refused(
        await world.scim('GET', `/Groups/${group.id}`, undefined, {
          org: 'globex',
          token: world.tokens.globex,
        }),
        404,
      );
    });

    it('answers 401 without a token or with another organization’s token', async () => {
      const group = await createGroup('Guarded');
      const anonymous = await world.scim('GET', `/Groups/${group.id}`, undefined, { token: null });
      refused(anonymous, 401);
      refused(
        await world.scim('GET', `/Groups/${group.id}`, undefined, { token: world.tokens.globex }),
        401,
      );
    });
  });

  describe('GET /Groups', () => {
    let alpha: Awaited<ReturnType<typeof createGroup>>;
    let beta: Awaited<ReturnType<typeof createGroup>>;
    before(async () => {
      alpha = await createGroup('List Alpha', [ann], { externalId: 'ext-alpha' });
      beta = await createGroup('List Beta', [ben, cat], { externalId: 'ext-beta' });
    });
    const list = async (params: Record<string, string>) => {
      const res = await world.scim('GET', `/Groups?${query(params)}`);
      assert.equal(res.status, 200, res.text);
      const body = res.json();
      assert.deepEqual(body.schemas, [listResponse]);
      return body as {
        totalResults: number;
        startIndex: number;
        itemsPerPage: number;
        Resources: { id: string; displayName: string; members?: { value: string }[] }[];
      };
    };
    const ids = (body: { Resources: { id: string }[] }) => body.Resources.map((g) => g.id);

    it('filters on displayName (eq ignoring case, sw, co), externalId, id and members', async () => {
      assert.deepEqual(ids(await list({ filter: 'displayName eq "list alpha"' })), [alpha.id]);
      assert.deepEqual(ids(await list({ filter: 'displayName sw "List "' })), [alpha.id, beta.id]);
      assert.deepEqual(ids(await list({ filter: 'displayName co "beta"' })), [beta.id]);
      assert.deepEqual(ids(await list({ filter: 'externalId eq "ext-beta"' })), [beta.id]);
      assert.deepEqual(ids(await list({ filter: 'externalId eq "EXT-BETA"' })), [], 'case-exact');
      assert.deepEqual(ids(await list({ filter: `id eq "${alpha.id}"` })), [alpha.id]);
      const withCat = await list({
        filter: `members[value eq "${cat.id}"] and displayName sw "List"`,
      });
      assert.deepEqual(ids(withCat), [beta.id]);
      const either = await list({
        filter: `displayName sw "List" and (displayName eq "List Alpha" or members.value eq "${ben.id}")`,
      });
      assert.deepEqual(ids(either), [alpha.id, beta.id]);
      assert.deepEqual(
        ids(
          await list({
            filter: `meta.lastModified ge "${beta.meta.lastModified}" and displayName sw "List"`,
          }),
        ),
        [beta.id],
      );
      assert.deepEqual(ids(await list({ filter: 'externalId pr and displayName sw "List"' })), [
        alpha.id,
        beta.id,
      ]);
    });

    it('pages with startIndex and count, and totalResults counts every match', async () => {
      const filter = 'displayName sw "List "';
      const first = await list({ filter, startIndex: '1', count: '1' });
      assert.equal(first.totalResults, 2);
      assert.equal(first.itemsPerPage, 1);
      assert.deepEqual(ids(first), [alpha.id]);
      const second = await list({ filter, startIndex: '2', count: '1' });
      assert.equal(second.startIndex, 2);
      assert.deepEqual(ids(second), [beta.id]);
      const none = await list({ filter, count: '0' });
      assert.equal(none.totalResults, 2);
      assert.deepEqual(none.Resources, []);
    });

    it('leaves the members out when asked, as Entra reads groups', async () => {
      const lean = await list({
        filter: 'displayName eq "List Beta"',
        excludedAttributes: 'members',
      });
      assert.equal(lean.Resources[0]?.members, undefined);
      const full = await list({ filter: 'displayName eq "List Beta"' });
      assert.deepEqual(memberIds(full.Resources[0] ?? {}), [ben.id, cat.id].sort());
    });

    it('refuses a filter it cannot parse or on an attribute it does not filter on (400 invalidFilter)', async () => {
      for (const filter of [
        'displayName eq',
        'displayName zz "x"',
        'members.display eq "ann"',
        'meta.lastModified gt "yesterday"',
      ])
        refused(await world.scim('GET', `/Groups?${query({ filter })}`), 400, 'invalidFilter');
    });

    it('shows another organization none of acme’s groups', async () => {
      const res = await world.scim('GET', '/Groups', undefined, {
        org: 'globex',
        token: world.tokens.globex,
      });
      assert.equal(res.json().totalResults, 0);
    });
  });

  describe('PUT /Groups/{id}', () => {
    it('replaces the name, the external id and the members; If-Match guards it', async () => {
      const group = await createGroup('Replace me', [ann, ben], { externalId: 'old' });
      const body = {
        schemas: [coreGroup],
        displayName: 'Replaced',
        members: [{ value: cat.id }, { value: ben.id }],
      };
      const stale = await world.scim('PUT', `/Groups/${group.id}`, body, {
        headers: { 'if-match': 'W/"1"' },
      });
      refused(stale, 412);
      const res = await world.scim('PUT', `/Groups/${group.id}`, body, {
        headers: { 'if-match': group.meta.version },
      });
      assert.equal(res.status, 200, res.text);
      const replaced = res.json();
      assert.equal(replaced.displayName, 'Replaced');
      assert.equal(replaced.externalId, undefined, 'left out is removed');
      assert.deepEqual(memberIds(replaced), [ben.id, cat.id].sort());
      assert.notEqual(replaced.meta.version, group.meta.version);
      const moved = await world.events('scim.group.members_changed', group.id);
      assert.deepEqual(moved.at(-1)?.details, {
        displayName: 'Replaced',
        added: [cat.id],
        removed: [ann.id],
      });
      const [updated] = await world.events('scim.group.updated', group.id);
      assert.deepEqual(updated?.details, {
        displayName: { before: 'Replace me', after: 'Replaced' },
        externalId: { before: 'old', after: null },
      });
    });

    it('refuses a bad body or an unknown member and changes nothing; 404 for an unknown group', async () => {
      const group = await createGroup('Kept', [ann]);
      refused(
        await world.scim('PUT', `/Groups/${group.id}`, { displayName: 'X' }),
        400,
        'invalidSyntax',
      );
      refused(
        await world.scim('PUT', `/Groups/${group.id}`, {
          schemas: [coreGroup],
          displayName: 'Kept',
          members: [{ value: olga.id }],
        }),
        400,
        'invalidValue',
      );
      const after = (await world.scim('GET', `/Groups/${group.id}`)).json();
      assert.deepEqual(memberIds(after), [ann.id]);
      assert.equal(after.meta.version, group.meta.version);
      refused(
        await world.scim('PUT', '/Groups/0190f5d2-0000-7000-8000-000000000000', {
          schemas: [coreGroup],
          displayName: 'Nobody',
        }),
        404,
      );
    });
  });

  describe('PATCH /Groups/{id}', () => {
    it('adds, removes by value array and by filter, replaces members and renames', async () => {
      const group = await createGroup('Patched');
      let res = await patch(group.id, [
        { op: 'Add', path: 'members', value: [{ value: ann.id }, { value: ben.id }] },
      ]);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(memberIds(res.json()), [ann.id, ben.id].sort());
      res = await patch(group.id, [{ op: 'Remove', path: 'members', value: [{ value: ann.id }] }]);
      assert.deepEqual(memberIds(res.json()), [ben.id]);
      res = await patch(group.id, [{ op: 'remove', path: `members[value eq "${ben.id}"]` }]);
      assert.deepEqual(memberIds(res.json()), []);
      res = await patch(group.id, [{ op: 'replace', path: 'members', value: [{ value: cat.id }] }]);
      assert.deepEqual(memberIds(res.json()), [cat.id]);
      res = await patch(group.id, [
        { op: 'replace', value: { id: group.id, displayName: 'Patched twice' } },
      ]);
      assert.equal(res.json().displayName, 'Patched twice');
      res = await patch(group.id, [
        { op: 'Replace', path: 'displayName', value: 'Patched thrice' },
        { op: 'add', path: 'externalId', value: 'ext-patched' },
        { op: 'remove', path: 'members' },
      ]);
      const last = res.json();
      assert.equal(last.displayName, 'Patched thrice');
      assert.equal(last.externalId, 'ext-patched');
      assert.deepEqual(memberIds(last), []);
      assert.equal(res.headers.etag, last.meta.version);
    });

    it('refuses what it cannot apply with the RFC’s scimType, and changes nothing', async () => {
      const group = await createGroup('Unchanged', [ann]);
      const cases: [unknown[], string][] = [
        [[{ op: 'remove' }], 'noTarget'],
        [[{ op: 'replace', path: 'owner', value: 'x' }], 'invalidPath'],
        [[{ op: 'move', path: 'members', value: [] }], 'invalidSyntax'],
        [[{ op: 'replace', value: { id: '0190f5d2-0000-7000-8000-000000000000' } }], 'mutability'],
        [[{ op: 'remove', path: 'displayName' }], 'mutability'],
        [[{ op: 'add', path: 'members', value: [{ value: olga.id }] }], 'invalidValue'],
        [[{ op: 'remove', path: 'members[display eq "ann"]' }], 'invalidFilter'],
        [[{ op: 'remove', path: 'members[value eq "ann@acme.test"]' }], 'invalidValue'],
        [[{ op: 'remove', path: 'members[value eq "ann"' }], 'invalidPath'],
        [[{ op: 'remove', path: 'members[value eq ]' }], 'invalidFilter'],
        [[{ op: 'replace', path: `members[value eq "${ann.id}"]`, value: {} }], 'invalidPath'],
        [[{ op: 'replace', path: 'displayName', value: 7 }], 'invalidValue'],
        [[{ op: 'replace', path: 'displayName', value: 'Bell\u0007' }], 'invalidValue'],
        [[{ op: 'add', path: 'externalId', value: 'x'.repeat(257) }], 'invalidValue'],
      ];
      for (const [operations, scimType] of cases)
        refused(await patch(group.id, operations), 400, scimType);
      refused(
        await world.scim('PATCH', `/Groups/${group.id}`, { Operations: [] }),
        400,
        'invalidSyntax',
      );
      const after = (await world.scim('GET', `/Groups/${group.id}`)).json();
      assert.equal(after.displayName, 'Unchanged');
      assert.deepEqual(memberIds(after), [ann.id]);
      assert.equal(after.meta.version, group.meta.version);
    });

    it('answers 412 for a stale If-Match and 404 for an unknown group', async () => {
      const group = await createGroup('Versioned');
      const op = [{ op: 'replace', path: 'displayName', value: 'Versioned 2' }];
      refused(await patch(group.id, op, { 'if-match': 'W/"12345"' }), 412);
      const ok = await patch(group.id, op, { 'if-match': group.meta.version });
      assert.equal(ok.status, 200);
      refused(await patch(group.id, op, { 'if-match': group.meta.version }), 412);
      refused(await patch('0190f5d2-0000-7000-8000-000000000000', op), 404);
    });
  });

  describe('DELETE /Groups/{id}', () => {
    it('deletes: 204, then 404; audited with the former members', async () => {
      const group = await createGroup('Doomed', [ann, ben]);
      refused(
        await world.scim('DELETE', `/Groups/${group.id}`, undefined, {
          headers: { 'if-match': 'W/"1"' },
        }),
        412,
      );
      const res = await world.scim('DELETE', `/Groups/${group.id}`);
      assert.equal(res.status, 204);
      assert.equal(res.text, '');
      refused(await world.scim('GET', `/Groups/${group.id}`), 404);
      refused(await world.scim('DELETE', `/Groups/${group.id}`), 404);
      const [deleted] = await world.events('scim.group.deleted', group.id);
      assert.deepEqual(
        [...((deleted?.details.members ?? []) as string[])].sort(),
        [ann.id, ben.id].sort(),
      );
    });
  });

  describe('discovery and Users', () => {
    it('lists the Group resource type and schema', async () => {
      const types = (await world.scim('GET', '/ResourceTypes')).json();
      const group = types.Resources.find((t: { id: string }) => t.id === 'Group');
      assert.equal(group?.endpoint, '/Groups');
      assert.equal(group?.schema, coreGroup);
      const schema = (await world.scim('GET', `/Schemas/${coreGroup}`)).json();
      const names = schema.attributes.map((a: { name: string }) => a.name);
      assert.deepEqual(names, ['displayName', 'members']);
      const one = (await world.scim('GET', '/ResourceTypes/Group')).json();
      assert.equal(one.name, 'Group');
    });

    it('gives a user an administrator reactivates their groups’ roles back', async () => {
      const { services } = world;
      const acme = world.orgs.acme;
      const dave = await authServices(world.core).createUser(acme, 'dave@acme.test', password);
      const group = await createGroup('Auditors', [dave]);
      const inAcme = <T>(fn: (tx: Tx) => Promise<T>) => withOrg(world.core.database, acme, fn);
      const roles = () =>
        inAcme(async (tx) =>
          (
            await tx
              .selectFrom('role_assignments')
              .select(['role_key', 'source'])
              .where('user_id', '=', dave.id)
              .execute()
          ).map((r) => `${r.role_key}:${r.source}`),
        );
      await inAcme((tx) =>
        services.groupRoles.setGroupRoles(tx, acme, group.id, ['org-auditor'], operatorActor),
      );
      assert.deepEqual(await roles(), ['org-auditor:scim']);
      await inAcme((tx) =>
        services.lifecycle.deactivate(tx, dave.id, 'suspended', operatorActor, { source: 'admin' }),
      );
      assert.deepEqual(await roles(), []);
      await inAcme((tx) => services.lifecycle.reactivate(tx, dave.id, operatorActor));
      assert.deepEqual(await roles(), ['org-auditor:scim']);
    });

    it('shows a user’s groups, read-only, in the User resource', async () => {
      const group = await createGroup('Visible to Users', [cat]);
      const user = (await world.scim('GET', `/Users/${cat.id}`)).json();
      assert.ok(
        user.groups.some(
          (g: { value: string; display: string }) =>
            g.value === group.id && g.display === 'Visible to Users',
        ),
        JSON.stringify(user.groups),
      );
    });
  });
});
