import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operatorActor, withPlatform } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;

interface Page {
  items: { userId: string; roleKey: string; reason: string }[];
  nextCursor: string | null;
}

/** The admin API's assignment list: role filter and cursor pages (docs/admin-api.md#assignments). */
describe('admin API assignment list', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let acme: string;
  let globex: string;
  let reader: string;
  /** Every assignment of acme as `user/role`, in the list's order (user, then role). */
  let held: string[];

  const keys = (body: Page) => body.items.map((a) => `${a.userId}/${a.roleKey}`);

  async function grant(orgId: string, userId: string, roleKey: string) {
    await withPlatform(world.core.database, (tx) =>
      world.auth.rbac.assign(
        tx,
        { orgId, userId, roleKey, reason: `seeded ${roleKey}` },
        null,
        operatorActor,
      ),
    );
  }

  const list = (query: string, orgId = acme) =>
    call('GET', `/orgs/${orgId}/assignments${query}`, reader);

  async function page(query: string): Promise<Page> {
    const res = await list(query);
    assert.equal(res.status, 200, res.text);
    return JSON.parse(res.text) as Page;
  }

  /** Every page of a listing, following `nextCursor`. */
  async function allPages(query: string) {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body = await page(`?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(body.items.length > 0 || pages === 0, 'no empty page after the first');
      seen.push(...keys(body));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    return { seen, pages };
  }

  before(async () => {
    let userWithRole: Api['userWithRole'];
    let tokenFor: Api['tokenFor'];
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld());
    acme = world.orgId;
    globex = await world.core.createOrg('globex');
    reader = await tokenFor(await userWithRole(acme, 'auditor@acme.test', 'org-auditor'));
    // Seven more users of acme: every one a member, every second an auditor, every third an
    // administrator, so that one user's roles span a page boundary at small limits.
    for (let i = 0; i < 7; i++) {
      const user = await world.auth.createUser(acme, `u${i}@acme.test`, 'Correct-Horse-Battery-9');
      await grant(acme, user.id, 'member');
      if (i % 2 === 0) await grant(acme, user.id, 'org-auditor');
      if (i % 3 === 0) await grant(acme, user.id, 'org-admin');
    }
    for (let i = 0; i < 3; i++) await userWithRole(globex, `g${i}@globex.test`, 'member');
    held = (
      await withPlatform(world.core.database, async (tx) =>
        (
          await tx
            .selectFrom('role_assignments')
            .select(['user_id', 'role_key'])
            .where('org_id', '=', acme)
            .execute()
        ).map((r) => `${r.user_id}/${r.role_key}`),
      )
    ).sort();
  });
  after(() => world.close());

  it('lists every assignment on one page when it fits, by user then role, without a cursor', async () => {
    const body = await page('?limit=200');
    assert.deepEqual(keys(body), held);
    assert.equal(body.nextCursor, null);
    assert.ok(held.length > 12, 'more than a few');
    const first = await page('');
    assert.equal(first.items.length, held.length, 'the default page of 50 holds them all');
  });

  it('pages by cursor: every assignment exactly once, in order', async () => {
    for (const limit of [1, 2, 3, 5]) {
      const { seen, pages } = await allPages(`limit=${limit}`);
      assert.deepEqual(seen, held, `limit=${limit}`);
      assert.equal(pages, Math.ceil(held.length / limit), `limit=${limit}: no empty last page`);
    }
  });

  it("filters by role on the server: that role's holders alone, paged", async () => {
    for (const role of ['member', 'org-auditor', 'org-admin']) {
      const expected = held.filter((k) => k.endsWith(`/${role}`));
      assert.deepEqual(keys(await page(`?roleKey=${role}&limit=200`)), expected, role);
      assert.deepEqual((await allPages(`roleKey=${role}&limit=2`)).seen, expected, role);
    }
    assert.deepEqual(keys(await page('?roleKey=org-owner')), [], 'a role nobody holds');
    assert.deepEqual(keys(await page('?roleKey=no-such-role')), [], 'a role that does not exist');
  });

  it("answers one user's assignments, with or without a role", async () => {
    const userId = held.find((k) => k.endsWith('/org-admin'))?.split('/')[0] ?? '';
    const theirs = held.filter((k) => k.startsWith(`${userId}/`));
    assert.equal(theirs.length, 3, 'member, auditor and administrator');
    const body = await page(`?userId=${userId}&limit=200`);
    assert.deepEqual(keys(body), theirs);
    assert.equal(body.nextCursor, null);
    assert.deepEqual((await allPages(`userId=${userId}&limit=1`)).seen, theirs);
    assert.deepEqual(keys(await page(`?userId=${userId}&roleKey=member`)), [`${userId}/member`]);
  });

  it("never shows another organization's assignments", async () => {
    const { seen } = await allPages('limit=4');
    assert.deepEqual(seen, held);
    assert.deepEqual(keys(await page('?roleKey=member&limit=200')).length, 7);
    // The organization in the path is the scope: acme's reader gets nothing of globex.
    assert.equal((await list('', globex)).status, 403);
    // A globex user named in acme's list is nobody's there.
    const [someone] = await withPlatform(world.core.database, (tx) =>
      tx.selectFrom('role_assignments').select('user_id').where('org_id', '=', globex).execute(),
    );
    assert.deepEqual(keys(await page(`?userId=${someone?.user_id}`)), []);
  });

  it('refuses a bad limit, cursor, role or user with a 400 problem', async () => {
    const problem = async (query: string) => {
      const res = await list(query);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      return JSON.parse(res.text).code as string;
    };
    for (const limit of ['0', '201', '-1', '2.5', 'ten'])
      assert.equal(await problem(`?limit=${limit}`), 'api.invalid_query', limit);
    assert.equal(await problem('?roleKey='), 'api.invalid_query');
    assert.equal(await problem(`?roleKey=${'r'.repeat(64)}`), 'api.invalid_query');
    assert.equal(await problem('?userId=nobody'), 'api.invalid_query');
    assert.equal(await problem('?cursor='), 'api.invalid_query');
    assert.equal(await problem(`?cursor=${'x'.repeat(201)}`), 'api.invalid_query');
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const userId = held[0]?.split('/')[0];
    for (const cursor of [
      'not-a-cursor',
      userId,
      forged([userId]),
      forged(['not-a-uuid', 'member']),
      forged([userId, 7]),
      forged({ userId, roleKey: 'member' }),
    ])
      assert.equal(await problem(`?cursor=${cursor}`), 'rbac.bad_cursor', String(cursor));
    assert.equal(await problem('?sort=role'), 'api.invalid_query', 'an unknown parameter');
  });
});
