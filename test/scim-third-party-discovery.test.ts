import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SCIMMY from 'scimmy';
import { type ScimWorld, scimPeople, startScimWorld } from './support/scim.ts';
import { checkedScim, type Json } from './support/scim-checked.ts';
import { coreGroup, coreUser, listResponse } from './support/scim-directories.ts';
import {
  assertConforming,
  assertConformingError,
  assertConformingList,
  attributeOf,
  differences,
  rfc,
  rfcAttributes,
} from './support/scim-rfc.ts';

/**
 * Where Vigil's /Schemas differs from RFC 7643 as SCIMMY defines it, each on purpose
 * (docs/scim.md). Any other difference fails the test.
 */
const deliberateDivergences = [
  // Groups hold no groups (docs/scim.md#groups): a user's group is a Group, a member a User.
  'User.groups.$ref referenceTypes: ["Group"] (RFC: ["User","Group"])',
  // RFC 7643 §4.2: "Service providers MAY require clients to provide a non-empty value".
  'Group.members.value required: true (RFC: false)',
  'Group.members.$ref referenceTypes: ["User"] (RFC: ["User","Group"])',
  // Vigil derives the manager's $ref from its value and ignores a $ref sent.
  'EnterpriseUser.manager.$ref mutability: "readOnly" (RFC: "readWrite")',
];

/**
 * Vigil's discovery endpoints read by SCIMMY (npm `scimmy`), an independent SCIM 2.0
 * implementation, and proof that its checks (test/support/scim-rfc.ts) refuse what does not
 * conform. The provisioning session it checks: test/scim-third-party.test.ts.
 */
describe('SCIM discovery checked by an independent SCIM implementation (SCIMMY)', () => {
  let w: ScimWorld;
  let client: Awaited<ReturnType<typeof checkedScim>>;

  before(async () => {
    w = await startScimWorld();
    client = await checkedScim(w);
  });
  after(() => w.close());

  it('answers a ServiceProviderConfig and ResourceTypes SCIMMY reads as they are', async () => {
    const { scim, root } = client;
    const config = (await scim('GET', '/ServiceProviderConfig')).json();
    // RFC 7643 §8.5's example marks a scheme `primary`; §5 defines no such sub-attribute, so
    // SCIMMY's definition has no place for it.
    const [{ primary, ...scheme }] = config.authenticationSchemes;
    assert.equal(primary, true);
    const withoutPrimary = { ...config, authenticationSchemes: [scheme] };
    assertConforming(rfc.serviceProviderConfig, withoutPrimary, `${root}/ServiceProviderConfig`);
    const types = (await scim('GET', '/ResourceTypes')).json();
    const listed = assertConformingList(rfc.resourceType, types, `${root}/ResourceTypes`);
    assert.deepEqual(
      listed.map((t) => [t.name, t.endpoint, t.schema]),
      [
        ['User', '/Users', coreUser],
        ['Group', '/Groups', coreGroup],
      ],
    );
    const user = (await scim('GET', '/ResourceTypes/User')).json();
    assertConforming(rfc.resourceType, user, `${root}/ResourceTypes`);
  });

  it('publishes schemas whose every attribute SCIMMY can build, each also at /Schemas/{id}', async () => {
    const { scim, root } = client;
    const answer = (await scim('GET', '/Schemas')).json();
    const read = JSON.parse(JSON.stringify(new SCIMMY.Messages.ListResponse(answer)));
    assert.deepEqual(read, answer);
    const documents = answer.Resources as Json[];
    assert.equal(documents.length, 4);
    for (const document of documents) {
      assert.deepEqual(document.schemas, ['urn:ietf:params:scim:schemas:core:2.0:Schema']);
      assert.equal(document.meta.location, `${root}/Schemas/${document.id}`);
      for (const attribute of document.attributes) attributeOf(attribute);
      assert.deepEqual((await scim('GET', `/Schemas/${document.id}`)).json(), document);
    }
  });

  it('publishes User, Group and the enterprise extension as RFC 7643 fixes them, but for deliberate choices', async () => {
    const documents = (await client.scim('GET', '/Schemas')).json().Resources as Json[];
    const found = [rfc.user, rfc.group, rfc.enterpriseUser].flatMap((definition) => {
      const document = documents.find((d) => d.id === definition.id) as Json;
      assert.equal(document.name, definition.name);
      return differences(definition.name, document.attributes, rfcAttributes(definition));
    });
    assert.deepEqual(found, deliberateDivergences);
  });

  it('the checks refuse a broken copy of a conforming answer', async () => {
    const { scim, resource, root } = client;
    const ann = resource(await scim('POST', '/Users', scimPeople().body()), 201, 'Users');
    const endpoint = `${root}/Users`;
    const without = (key: string) =>
      Object.fromEntries(Object.entries(ann).filter(([k]) => k !== key));
    const broken: [string, Json][] = [
      ['a string boolean', { ...ann, active: 'False' }],
      ['no schemas', without('schemas')],
      ['no userName', without('userName')],
      ['no id', without('id')],
      ['emails not a list', { ...ann, emails: ann.emails[0] }],
      ['an attribute no schema declares', { ...ann, password: 'secret' }],
      ['a date that is none', { ...ann, meta: { ...ann.meta, created: 'yesterday' } }],
      ['another location', { ...ann, meta: { ...ann.meta, location: `${root}/Users/x` } }],
      ['a Group resourceType', { ...ann, meta: { ...ann.meta, resourceType: 'Group' } }],
    ];
    for (const [what, copy] of broken)
      assert.throws(() => assertConforming(rfc.user, copy, endpoint), Error, what);
    const page = { schemas: [listResponse], totalResults: 1, startIndex: 1, itemsPerPage: 1 };
    const lists: [string, Json, RegExp][] = [
      ['an error schema', { ...page, schemas: [errorSchema] }, /ListResponse/],
      ['more resources than itemsPerPage', { ...page, itemsPerPage: 0 }, /ListResponse/],
      ['a count that is no integer', { ...page, totalResults: 'one' }, /integer/],
      ['a broken resource', { ...page, Resources: [{ ...ann, active: 'True' }] }, /boolean/],
    ];
    for (const [what, list, message] of lists) {
      const copy = { Resources: [ann], ...list };
      assert.throws(() => assertConformingList(rfc.user, copy, endpoint), message, what);
    }
    const error = { schemas: [errorSchema], status: '400', scimType: 'uniqueness' };
    assert.throws(() => assertConformingError(error, 400, 'uniqueness'), /not valid/);
    const numeric = { schemas: [errorSchema], status: 404 };
    assert.throws(() => assertConformingError(numeric, 404, undefined), /error as SCIMMY/);
  });
});

const errorSchema = 'urn:ietf:params:scim:api:messages:2.0:Error';
