import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId, withOrg } from '../src/platform/index.ts';
import { type ScimWorld, startScimWorld } from './support/scim.ts';
import { coreUser, enterpriseUser, listResponse, query } from './support/scim-directories.ts';

/**
 * Listing SCIM Users (docs/scim.md#filters-and-paging): filters on userName, externalId,
 * emails.value, displayName and meta.lastModified with every operator the issue names, paging by
 * startIndex and count, attributes and excludedAttributes, and the refusals of what cannot be
 * filtered.
 */
describe('SCIM Users lists', () => {
  let w: ScimWorld;
  /** The five users of the list, in creation order. */
  const people: Record<string, string | undefined>[] = [
    { first: 'Alice', upn: 'alice@corp.example', externalId: 'ext-A', department: 'Sales' },
    { first: 'Bob', upn: 'bob@acme.test', externalId: 'ext-B', department: 'Sales' },
    { first: 'Carol', upn: 'carol@corp.example', externalId: 'EXT-C', department: 'Legal' },
    { first: 'Dave', upn: 'dave@acme.test', externalId: undefined, department: 'Legal' },
    { first: 'Erin', upn: 'erin@corp.example', externalId: 'ext-E', department: undefined },
  ];
  const users: Record<string, { id: string; meta: { lastModified: string } }> = {};

  /** The first names of a filter's answer, in the answer's order. */
  async function names(filter: string, extra: Record<string, string> = {}) {
    const res = await w.scim('GET', `/Users?${query({ filter, ...extra })}`);
    assert.equal(res.status, 200, `${filter}: ${res.text}`);
    const body = res.json();
    assert.deepEqual(body.schemas, [listResponse]);
    return (body.Resources as { name: { givenName: string } }[]).map((u) => u.name.givenName);
  }
  const refusedFilter = async (filter: string) => {
    const res = await w.scim('GET', `/Users?${query({ filter })}`);
    assert.equal(res.status, 400, filter);
    assert.equal(res.json().scimType, 'invalidFilter', filter);
  };

  before(async () => {
    w = await startScimWorld();
    for (const p of people) {
      const res = await w.scim('POST', '/Users', {
        schemas: [coreUser, enterpriseUser],
        userName: p.upn,
        externalId: p.externalId,
        name: { givenName: p.first, familyName: 'Lister' },
        displayName: `${p.first} Lister`,
        emails: [{ value: `${p.first?.toLowerCase()}.mail@acme.test`, primary: true }],
        [enterpriseUser]: { department: p.department },
      });
      assert.equal(res.status, 201, res.text);
      users[p.first as string] = res.json();
      await sleep(5);
    }
    // A namesake in another organization, which acme's lists never show.
    const theirs = await w.scim(
      'POST',
      '/Users',
      { schemas: [coreUser], userName: 'alice@corp.example', name: { givenName: 'Alice' } },
      { org: 'globex', token: w.tokens.globex },
    );
    assert.equal(theirs.status, 201);
  });
  after(() => w.close());

  it('filters with eq, ne, co, sw, ew, pr, and, or and not on userName, externalId, emails.value and displayName', async () => {
    assert.deepEqual(await names('userName eq "ALICE@corp.example"'), ['Alice']);
    assert.deepEqual(await names('userName sw "carol@"'), ['Carol']);
    assert.deepEqual(await names('userName ew "@corp.example"'), ['Alice', 'Carol', 'Erin']);
    assert.deepEqual(await names('userName co "ACME"'), ['Bob', 'Dave']);
    assert.deepEqual(await names('externalId eq "ext-A"'), ['Alice']);
    // externalId is case-exact (RFC 7643 §3.1).
    assert.deepEqual(await names('externalId eq "EXT-A"'), []);
    assert.deepEqual(await names('externalId pr'), ['Alice', 'Bob', 'Carol', 'Erin']);
    assert.deepEqual(await names('not (externalId pr)'), ['Dave']);
    assert.deepEqual(await names('emails.value eq "bob.mail@acme.test"'), ['Bob']);
    assert.deepEqual(await names('emails[value sw "erin."]'), ['Erin']);
    assert.deepEqual(await names('emails co "carol"'), ['Carol']);
    assert.deepEqual(await names('displayName co "o"'), ['Bob', 'Carol']);
    assert.deepEqual(await names('displayName ne "Bob Lister" and userName co "acme"'), ['Dave']);
    assert.deepEqual(await names('displayName sw "A" or displayName sw "E"'), ['Alice', 'Erin']);
    assert.deepEqual(
      await names('(userName co "corp" and externalId pr) or emails.value sw "dave"'),
      ['Alice', 'Carol', 'Dave', 'Erin'],
    );
    assert.deepEqual(await names(`id eq "${users.Bob?.id}"`), ['Bob']);
    assert.deepEqual(await names('id eq "not-a-uuid"'), []);
    assert.deepEqual(await names(`${enterpriseUser}:department eq "legal"`), ['Carol', 'Dave']);
    assert.deepEqual(
      await names('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@acme.test"'),
      ['Bob'],
    );
    // The characters LIKE gives a meaning to match themselves.
    assert.deepEqual(await names('userName co "%"'), []);
    assert.deepEqual(await names('userName co "_"'), []);
  });

  it('filters on meta.lastModified with gt, ge, lt and le', async () => {
    const carol = users.Carol?.meta.lastModified as string;
    assert.deepEqual(await names(`meta.lastModified gt "${carol}"`), ['Dave', 'Erin']);
    assert.deepEqual(await names(`meta.lastModified ge "${carol}"`), ['Carol', 'Dave', 'Erin']);
    assert.deepEqual(await names(`meta.lastModified lt "${carol}"`), ['Alice', 'Bob']);
    assert.deepEqual(await names(`meta.lastModified le "${carol}"`), ['Alice', 'Bob', 'Carol']);
    // A change moves a user's lastModified past everyone else's.
    const bob = users.Bob?.id as string;
    const patched = await w.scim('PATCH', `/Users/${bob}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Bob Lister' + ' II' }],
    });
    assert.equal(patched.status, 200);
    const erin = users.Erin?.meta.lastModified as string;
    assert.deepEqual(await names(`meta.lastModified gt "${erin}"`), ['Bob']);
  });

  it('refuses filters it cannot parse, attributes it does not filter on and values of the wrong type', async () => {
    for (const filter of [
      'userName eq',
      'userName xx "a"',
      'userName eq "a" and',
      'title eq "Boss"',
      'password eq "secret"',
      'emails[type eq "work"]',
      'meta.lastModified gt "yesterday"',
      'meta.lastModified co "2026"',
      'active eq "yes"',
      'active gt true',
      'userName eq 42',
      'userName gt null',
      '',
      `userName eq "${'x'.repeat(2000)}"`,
    ])
      await refusedFilter(filter);
  });

  it('pages with startIndex and count, counting every match in totalResults', async () => {
    const page = async (params: Record<string, string>) => {
      const res = await w.scim(
        'GET',
        `/Users?${query({ filter: 'name.familyName eq "Lister"', ...params })}`,
      );
      assert.equal(res.status, 200, res.text);
      return res.json();
    };
    const first = await page({ startIndex: '1', count: '2' });
    assert.equal(first.totalResults, 5);
    assert.equal(first.startIndex, 1);
    assert.equal(first.itemsPerPage, 2);
    assert.deepEqual(
      first.Resources.map((u: { id: string }) => u.id),
      [users.Alice?.id, users.Bob?.id],
    );
    const last = await page({ startIndex: '5', count: '2' });
    assert.deepEqual(
      last.Resources.map((u: { id: string }) => u.id),
      [users.Erin?.id],
    );
    assert.equal(last.startIndex, 5);
    const beyond = await page({ startIndex: '9' });
    assert.equal(beyond.totalResults, 5);
    assert.deepEqual(beyond.Resources, []);
    const onlyTotal = await page({ count: '0' });
    assert.equal(onlyTotal.totalResults, 5);
    assert.equal(onlyTotal.itemsPerPage, 0);
    // Out-of-range values are read as RFC 7644 §3.4.2.4 says.
    assert.equal((await page({ startIndex: '0', count: '1' })).Resources[0].id, users.Alice?.id);
    assert.equal((await page({ count: '-3' })).itemsPerPage, 0);
    for (const bad of [{ count: 'ten' }, { startIndex: '1.5' }] as Record<string, string>[]) {
      const res = await w.scim('GET', `/Users?${query(bad)}`);
      assert.equal(res.status, 400);
      assert.equal(res.json().scimType, 'invalidValue');
    }
  });

  it('answers POST /Users/.search like GET /Users, its parameters in a SearchRequest body', async () => {
    const searchRequest = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
    const res = await w.scim('POST', '/Users/.search', {
      schemas: [searchRequest],
      filter: 'userName ew "@corp.example"',
      startIndex: 2,
      count: 1,
      attributes: ['userName'],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), {
      schemas: [listResponse],
      totalResults: 3,
      startIndex: 2,
      itemsPerPage: 1,
      Resources: [
        {
          schemas: [coreUser, enterpriseUser],
          id: users.Carol?.id,
          userName: 'carol@corp.example',
        },
      ],
    });
    const refusals: [unknown, string][] = [
      [{ filter: 'userName pr' }, 'invalidSyntax'],
      [{ schemas: [searchRequest], count: '1' }, 'invalidValue'],
      [{ schemas: [searchRequest], attributes: 'userName' }, 'invalidValue'],
      [{ schemas: [searchRequest], filter: 'userName eq' }, 'invalidFilter'],
    ];
    for (const [body, scimType] of refusals) {
      const refused = await w.scim('POST', '/Users/.search', body);
      assert.equal(refused.status, 400);
      assert.equal(refused.json().scimType, scimType);
    }
  });

  it('answers at most 200 resources per page, the maximum ServiceProviderConfig advertises', async () => {
    const globex = w.orgs.globex;
    const now = new Date();
    await withOrg(w.core.database, globex, (tx) =>
      tx
        .insertInto('users')
        .values(
          Array.from({ length: 205 }, (_, i) => ({
            id: newId(now.getTime()),
            org_id: globex,
            email: `bulk${i}@globex.test`,
            display_name: `Bulk ${i}`,
            status: 'active' as const,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute(),
    );
    const options = { org: 'globex', token: w.tokens.globex };
    const res = await w.scim('GET', '/Users?count=1000', undefined, options);
    assert.equal(res.status, 200);
    assert.equal(res.json().totalResults, 206);
    assert.equal(res.json().itemsPerPage, 200);
    const config = await w.scim('GET', '/ServiceProviderConfig', undefined, options);
    assert.equal(config.json().filter.maxResults, 200);
  });

  it('returns only the attributes asked for, or all but the excluded ones; id and schemas always', async () => {
    const only = await w.scim(
      'GET',
      `/Users?${query({ filter: 'userName eq "bob@acme.test"', attributes: 'userName,emails.value,name.givenName' })}`,
    );
    assert.deepEqual(Object.keys(only.json().Resources[0]).sort(), [
      'emails',
      'id',
      'name',
      'schemas',
      'userName',
    ]);
    assert.deepEqual(only.json().Resources[0].emails, [{ value: 'bob.mail@acme.test' }]);
    assert.deepEqual(only.json().Resources[0].name, { givenName: 'Bob' });
    const byUrn = await w.scim(
      'GET',
      `/Users/${users.Alice?.id}?${query({ attributes: `${enterpriseUser}:department,urn:ietf:params:scim:schemas:core:2.0:User:displayName` })}`,
    );
    assert.equal(byUrn.status, 200);
    assert.deepEqual(byUrn.json()[enterpriseUser], { department: 'Sales' });
    assert.equal(byUrn.json().displayName, 'Alice Lister');
    assert.equal(byUrn.json().userName, undefined);
    const excluded = await w.scim(
      'GET',
      `/Users/${users.Alice?.id}?${query({ excludedAttributes: 'emails,meta,name.familyName,id' })}`,
    );
    const body = excluded.json();
    assert.equal(body.emails, undefined);
    assert.equal(body.meta, undefined);
    assert.deepEqual(body.name, { givenName: 'Alice', formatted: 'Alice Lister' });
    assert.equal(body.id, users.Alice?.id);
    assert.equal(body.userName, 'alice@corp.example');
    const both = await w.scim(
      'GET',
      `/Users?${query({ attributes: 'userName', excludedAttributes: 'emails' })}`,
    );
    assert.equal(both.status, 400);
    assert.equal(both.json().scimType, 'invalidValue');
  });

  it('lists only the organization of the token, and no deprovisioned user', async () => {
    const all = await w.scim('GET', '/Users');
    const ids = all.json().Resources.map((u: { id: string }) => u.id);
    assert.deepEqual(
      ids,
      Object.values(users).map((u) => u.id),
    );
    const gone = users.Dave?.id as string;
    assert.equal((await w.scim('DELETE', `/Users/${gone}`)).status, 204);
    assert.deepEqual(await names('userName eq "dave@acme.test"'), []);
    assert.equal((await w.scim('GET', '/Users')).json().totalResults, 4);
  });
});
