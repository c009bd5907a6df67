import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import {
  assertScimError,
  type ScimWorld,
  scimJson,
  scimPeople,
  startScimWorld,
} from './support/scim.ts';
import { enterpriseUser, patchOp } from './support/scim-directories.ts';

const vigilUser = 'urn:ietf:params:scim:schemas:extension:vigil:2.0:User';

/**
 * What the SCIM Users resource refuses (docs/scim.md#endpoints), each with its status and
 * scimType, changing nothing: bad bodies and PATCH requests, taken userNames and emails, bad JSON
 * and other media types, and every token that is not the organization's (401).
 */
describe('SCIM Users refusals', () => {
  let w: ScimWorld;
  const people = scimPeople();
  const newUser = people.body;
  const create = async (extra: Record<string, unknown> = {}) => {
    const res = await w.scim('POST', '/Users', newUser(extra));
    assert.equal(res.status, 201, res.text);
    return res.json();
  };

  before(async () => {
    w = await startScimWorld();
  });
  after(() => w.close());

  const userCount = () => w.userCount();

  it('refuses bad bodies with invalidSyntax or invalidValue and creates nothing', async () => {
    const before = await userCount();
    const cases: [unknown, string][] = [
      [{ ...newUser(), schemas: undefined }, 'invalidSyntax'],
      [{ ...newUser(), schemas: ['urn:example:other'] }, 'invalidSyntax'],
      [[newUser()], 'invalidSyntax'],
      [{ ...newUser(), userName: undefined }, 'invalidValue'],
      [{ ...newUser(), userName: 42 }, 'invalidValue'],
      [{ ...newUser(), userName: 'no-email-here', emails: undefined }, 'invalidValue'],
      [{ ...newUser(), emails: [{ value: 'not an email', primary: true }] }, 'invalidValue'],
      [{ ...newUser(), emails: 'x@acme.test' }, 'invalidValue'],
      [{ ...newUser(), active: 'maybe' }, 'invalidValue'],
      [{ ...newUser(), displayName: 'x'.repeat(201) }, 'invalidValue'],
      [
        { ...newUser(), [enterpriseUser]: { manager: { value: crypto.randomUUID() } } },
        'invalidValue',
      ],
      [{ ...newUser(), [vigilUser]: { endDate: 'next friday' } }, 'invalidValue'],
    ];
    for (const [body, scimType] of cases) {
      const res = await w.scim('POST', '/Users', body);
      assertScimError(res, 400, scimType);
      assert.ok(res.json().detail, 'a refusal says why');
    }
    assert.equal(await userCount(), before);
  });

  it('refuses attributes with excludedAttributes on a PUT or PATCH before it changes the user', async () => {
    const user = await create();
    const both = `?attributes=userName&excludedAttributes=emails`;
    const renamed = { ...newUser({ userName: user.userName }), displayName: 'Renamed Twice' };
    assertScimError(await w.scim('PUT', `/Users/${user.id}${both}`, renamed), 400, 'invalidValue');
    const rename = {
      schemas: [patchOp],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Renamed Twice' }],
    };
    assertScimError(await w.scim('PATCH', `/Users/${user.id}${both}`, rename), 400, 'invalidValue');
    const after = await w.scim('GET', `/Users/${user.id}`);
    assert.equal(after.json().displayName, user.displayName);
    assert.equal(after.headers.etag, user.meta.version);
  });

  it('refuses a taken userName or email with 409 uniqueness, ignoring case', async () => {
    const first = await create();
    const before = await userCount();
    const again = newUser({ userName: first.userName.toUpperCase() });
    assertScimError(await w.scim('POST', '/Users', again), 409, 'uniqueness');
    const sameEmail = newUser({ emails: [{ value: first.emails[0].value, primary: true }] });
    assertScimError(await w.scim('POST', '/Users', sameEmail), 409, 'uniqueness');
    assert.equal(await userCount(), before);
  });

  it('keeps a directory userName from becoming another user’s email (an administrator’s create or change)', async () => {
    const pushed = await create({ userName: `upn${people.n}@corp.example` });
    const taken = (err: unknown) => (err as { code?: string }).code === 'user.user_name_taken';
    await assert.rejects(
      withOrg(w.core.database, w.orgs.acme, (tx) =>
        w.services.identity.createUser(
          tx,
          w.orgs.acme,
          { email: pushed.userName, displayName: 'Other' },
          operatorActor,
        ),
      ),
      taken,
    );
    const other = await create();
    await assert.rejects(
      withOrg(w.core.database, w.orgs.acme, (tx) =>
        w.services.identity.updateUser(
          tx,
          other.id,
          { email: pushed.userName.toUpperCase() },
          operatorActor,
        ),
      ),
      taken,
    );
    assert.equal((await w.stored(other.id)).email, other.emails[0].value);
  });

  it('answers bad JSON with invalidSyntax, other media types with 415, plain JSON like SCIM JSON', async () => {
    const headers = { 'content-type': scimJson };
    const bad = await w.scim('POST', '/Users', undefined, { headers });
    assertScimError(bad, 400, 'invalidSyntax');
    const garbled = await w.server.app.inject({
      method: 'POST',
      url: '/scim/v2/acme/Users',
      headers: { authorization: `Bearer ${w.tokens.acme}`, 'content-type': scimJson },
      payload: '{"schemas": [',
    });
    assert.equal(garbled.statusCode, 400);
    assert.equal(JSON.parse(garbled.body).scimType, 'invalidSyntax');
    const text = await w.scim('POST', '/Users', newUser(), {
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.status, 415);
    const plain = await w.scim('POST', '/Users', newUser(), {
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(plain.status, 201);
  });

  it('refuses bad PATCH requests with their scimType and changes nothing', async () => {
    const user = await create();
    const ops = (...Operations: unknown[]) => ({ schemas: [patchOp], Operations });
    const cases: [unknown, string][] = [
      [{ Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }, 'invalidSyntax'],
      [ops(), 'invalidSyntax'],
      [ops({ op: 'move', path: 'displayName', value: 'x' }), 'invalidSyntax'],
      [ops({ op: 'remove' }), 'noTarget'],
      [ops({ op: 'replace', path: 'emails[type eq', value: 'x' }), 'invalidPath'],
      [ops({ op: 'replace', path: 'id', value: crypto.randomUUID() }), 'mutability'],
      [ops({ op: 'add', path: 'groups', value: [{ value: crypto.randomUUID() }] }), 'mutability'],
      [ops({ op: 'replace', path: 'active', value: 'perhaps' }), 'invalidValue'],
      [ops({ op: 'replace', path: `${enterpriseUser}:manager`, value: user.id }), 'invalidValue'],
      [ops({ op: 'remove', path: 'userName' }), 'invalidValue'],
    ];
    for (const [body, scimType] of cases) {
      assertScimError(await w.scim('PATCH', `/Users/${user.id}`, body), 400, scimType);
    }
    const after = await w.scim('GET', `/Users/${user.id}`);
    assert.equal(after.json().meta.version, user.meta.version);
    assertScimError(
      await w.scim(
        'PATCH',
        `/Users/${crypto.randomUUID()}`,
        ops({ op: 'replace', path: 'displayName', value: 'x' }),
      ),
      404,
    );
  });

  it('answers 401 with WWW-Authenticate without a token, with a wrong one, with another organization’s, or for a suspended organization', async () => {
    const wrong = `${w.tokens.acme.slice(0, -4)}AAAA`;
    for (const options of [
      { token: null },
      { token: 'not-a-token' },
      { token: wrong },
      { token: w.tokens.globex },
      { token: w.tokens.acme, org: 'globex' },
      { token: w.tokens.acme, org: 'nonexistent' },
    ]) {
      for (const path of ['/Users', '/ServiceProviderConfig']) {
        const res = await w.scim('GET', path, undefined, options);
        assertScimError(res, 401);
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
    }
    const before = await userCount();
    assertScimError(await w.scim('POST', '/Users', newUser(), { token: w.tokens.globex }), 401);
    assert.equal(await userCount(), before);
    await w.services.lifecycle.suspendOrganizationNow(w.orgs.globex, 'test', operatorActor);
    assertScimError(
      await w.scim('GET', '/Users', undefined, { org: 'globex', token: w.tokens.globex }),
      401,
    );
    await w.services.lifecycle.reactivateOrganizationNow(w.orgs.globex, 'test', operatorActor);
    const back = await w.scim('GET', '/Users', undefined, {
      org: 'globex',
      token: w.tokens.globex,
    });
    assert.equal(back.status, 200);
  });

  it('answers an unknown SCIM path with a SCIM 404', async () => {
    assertScimError(await w.scim('GET', '/Widgets'), 404);
  });
});
