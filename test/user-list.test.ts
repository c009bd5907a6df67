import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User, UserStatus } from '../src/identity/index.ts';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;

interface Page {
  items: { id: string; email: string; displayName: string; status: UserStatus }[];
  nextCursor: string | null;
}

/** The admin API's user list: search, status filter and cursor pages (docs/admin-api.md#users). */
describe('admin API user list', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let acme: string;
  let globex: string;
  let reader: string;
  /** Every user of acme before the tests add more. */
  const people: User[] = [];

  async function addUser(orgId: string, email: string, displayName: string): Promise<User> {
    return withOrg(world.core.database, orgId, (tx) =>
      world.auth.identity.createUser(tx, orgId, { email, displayName }, operatorActor),
    );
  }

  async function list(query: string, orgId = acme) {
    return call('GET', `/orgs/${orgId}/users${query}`, reader);
  }

  async function page(query: string): Promise<Page> {
    const res = await list(query);
    assert.equal(res.status, 200, res.text);
    return JSON.parse(res.text) as Page;
  }

  /** Every page of a listing, following `nextCursor`; `between` runs after each page. */
  async function allPages(query: string, between: () => Promise<void> = async () => {}) {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body = await page(`?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.items.map((u) => u.email));
      cursor = body.nextCursor;
      pages++;
      await between();
    } while (cursor);
    return { seen, pages };
  }

  before(async () => {
    let userWithRole: Api['userWithRole'];
    let tokenFor: Api['tokenFor'];
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld());
    acme = world.orgId;
    globex = await world.core.createOrg('globex');
    people.push(
      ...(await withOrg(world.core.database, acme, (tx) =>
        world.auth.identity.listUsers(tx, acme),
      )),
    );
    const auditor = await userWithRole(acme, 'auditor@acme.test', 'org-auditor');
    reader = await tokenFor(auditor);
    people.push(auditor);
    for (const [email, name] of [
      ['ada.lovelace@acme.test', 'Ada Lovelace'],
      ['grace@acme.test', 'Grace Hopper'],
      ['alan.turing@acme.test', 'Alan Turing'],
      ['KATHERINE@ACME.TEST', 'Katherine Johnson'],
      ['percent_50@acme.test', 'Half 50% Off'],
      ['edsger@acme.test', 'Edsger Dijkstra'],
    ] as const)
      people.push(await addUser(acme, email, name));
    await addUser(globex, 'ada.byron@globex.test', 'Ada Byron');
    const suspended = people.find((p) => p.email === 'grace@acme.test');
    assert.ok(suspended);
    await withOrg(world.core.database, acme, (tx) =>
      world.auth.identity.setStatus(tx, suspended.id, 'suspended', operatorActor),
    );
  });
  after(() => world.close());

  const emails = (body: Page) => body.items.map((u) => u.email);

  it('searches a fragment of the email or the display name, in any case', async () => {
    assert.deepEqual(emails(await page('?q=LOVE')), ['ada.lovelace@acme.test']);
    assert.deepEqual(emails(await page('?q=hopper')), ['grace@acme.test']);
    assert.deepEqual(emails(await page('?q=katherine%40acme')), ['KATHERINE@ACME.TEST']);
    // Anywhere in either field: "ace" is inside Lovelace's address and Grace's name.
    assert.deepEqual(emails(await page('?q=ace')).sort(), [
      'ada.lovelace@acme.test',
      'grace@acme.test',
    ]);
    assert.deepEqual(emails(await page('?q=%20%20turing%20')), ['alan.turing@acme.test']);
    assert.deepEqual(emails(await page('?q=nobody')), []);
  });

  it('takes % and _ as themselves, not as wildcards', async () => {
    assert.deepEqual(emails(await page('?q=%25')), ['percent_50@acme.test']);
    assert.deepEqual(emails(await page('?q=t_5')), ['percent_50@acme.test']);
    assert.deepEqual(emails(await page('?q=a_a')), [], '_ is no single-character wildcard');
    assert.deepEqual(emails(await page('?q=%5C')), [], 'a backslash escapes nothing');
  });

  it('never matches across the email and the display name', async () => {
    // "acme.test" ends the email and "Edsger" starts the name: no fragment spans both.
    assert.deepEqual(emails(await page('?q=test%20edsger')), []);
    assert.deepEqual(emails(await page('?q=testedsger')), []);
  });

  it('lists everyone for an empty search, in id order (creation order, to the millisecond)', async () => {
    const body = await page('?q=&limit=200');
    assert.deepEqual(
      body.items.map((u) => u.id),
      people.map((p) => p.id).sort(),
    );
    assert.equal(body.nextCursor, null);
  });

  it('filters by status, alone and with a search', async () => {
    assert.deepEqual(emails(await page('?status=suspended')), ['grace@acme.test']);
    assert.deepEqual(emails(await page('?status=active&q=grace')), []);
    assert.deepEqual(emails(await page('?status=deprovisioned')), []);
    const active = emails(await page('?status=active&limit=200'));
    assert.equal(active.length, people.length - 1);
    assert.ok(!active.includes('grace@acme.test'));
  });

  it('pages by cursor: every user exactly once, even with users added between pages', async () => {
    const before = people.map((p) => p.email);
    let added = 0;
    const { seen, pages } = await allPages('limit=2', async () => {
      added++;
      await addUser(acme, `late${added}@acme.test`, `Late ${added}`);
    });
    assert.ok(pages > 3, 'several pages');
    assert.equal(new Set(seen).size, seen.length, 'no user twice');
    for (const email of before) assert.ok(seen.includes(email), `${email} listed`);
    // The users added while paging came after the page being read: each one listed, once.
    assert.deepEqual(
      seen.slice(before.length),
      Array.from({ length: seen.length - before.length }, (_, i) => `late${i + 1}@acme.test`),
    );
  });

  it('pages a search by cursor, and the last page has no cursor', async () => {
    const { seen } = await allPages('q=acme.test&limit=1');
    const all = emails(await page('?q=acme.test&limit=200'));
    assert.deepEqual(seen, all);
    assert.ok(all.length > 5);
  });

  it("never shows another organization's users, by search or by page", async () => {
    assert.deepEqual(emails(await page('?q=ada')), ['ada.lovelace@acme.test']);
    const { seen } = await allPages('limit=3');
    assert.ok(seen.every((email) => email.toLowerCase().endsWith('@acme.test')));
    // The organization in the path is the scope: acme's reader gets nothing of globex.
    assert.equal((await list('?q=ada', globex)).status, 403);
  });

  it('refuses a bad limit, cursor, status or search with a 400 problem', async () => {
    const problem = async (query: string) => {
      const res = await list(query);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      return JSON.parse(res.text).code as string;
    };
    for (const limit of ['0', '201', '-1', '2.5', 'ten'])
      assert.equal(await problem(`?limit=${limit}`), 'api.invalid_query', limit);
    assert.equal((await list('?limit=200')).status, 200);
    assert.equal(await problem('?status=locked'), 'api.invalid_query');
    assert.equal(await problem(`?q=${'x'.repeat(201)}`), 'api.invalid_query');
    assert.equal(await problem('?q=a%01b'), 'api.invalid_query', 'a control character');
    assert.equal(await problem('?cursor='), 'api.invalid_query');
    assert.equal(await problem(`?cursor=${'x'.repeat(201)}`), 'api.invalid_query');
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of ['not-a-cursor', people[0]?.id, forged(['not-a-uuid']), forged({})])
      assert.equal(await problem(`?cursor=${cursor}`), 'user.bad_cursor', String(cursor));
    assert.equal(await problem('?sort=email'), 'api.invalid_query', 'an unknown parameter');
  });
});
