import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../platform/index.ts';
import { ifMatchAllows, versionOf } from './etag.ts';
import { parseFilter } from './filter.ts';
import { patchOperationsOf } from './patch.ts';
import { project } from './projection.ts';
import { scimSchemas } from './schemas.ts';

const core = scimSchemas.user;
const refusedAs = (scimCode: string) => (err: unknown) => isAppError(err) && err.code === scimCode;

describe('SCIM protocol pieces', () => {
  it('versions: a weak ETag of the time; If-Match passes absent, *, the version weak or strong, or a list holding it', () => {
    const version = versionOf(new Date(1_700_000_000_123));
    assert.equal(version, 'W/"1700000000123"');
    for (const header of [undefined, '*', version, '"1700000000123"', `W/"1", ${version}`])
      assert.equal(ifMatchAllows(header, version), true, String(header));
    for (const header of ['W/"1700000000124"', '"x"', '', 'W/"1", "2"'])
      assert.equal(ifMatchAllows(header, version), false, header);
  });

  it('filters: attributes resolved without case or core URN, multi-valued names to their value, values typed', () => {
    const attributes = {
      username: 'string',
      'emails.value': 'string',
      'meta.lastmodified': 'dateTime',
      active: 'boolean',
    } as const;
    assert.deepEqual(parseFilter(`${core}:USERNAME eq "a"`, attributes, core), {
      op: 'eq',
      attribute: 'username',
      type: 'string',
      value: 'a',
    });
    assert.deepEqual(parseFilter('emails co "x" or not (active eq false)', attributes, core), {
      op: 'or',
      filters: [
        { op: 'co', attribute: 'emails.value', type: 'string', value: 'x' },
        { op: 'not', filter: { op: 'eq', attribute: 'active', type: 'boolean', value: false } },
      ],
    });
    const since = parseFilter('meta.lastModified ge "2026-12-01T00:00:00Z"', attributes, core);
    assert.deepEqual(since, {
      op: 'ge',
      attribute: 'meta.lastmodified',
      type: 'dateTime',
      value: new Date('2026-12-01T00:00:00Z'),
    });
    for (const bad of [
      'emails[value eq "a" and emails[value eq "b"]]',
      'nickName pr',
      'active eq 1',
    ])
      assert.throws(
        () => parseFilter(bad, attributes, core),
        refusedAs('scim.invalid_filter'),
        bad,
      );
  });

  it('PATCH operations: ops lowercased, path-less values split where a key carries a filter, refusals typed', () => {
    const body = (...Operations: unknown[]) => ({ schemas: [scimSchemas.patchOp], Operations });
    assert.deepEqual(
      patchOperationsOf(
        body({ op: 'Replace', value: { displayName: 'A', 'emails[type eq "work"].value': 'a@x' } }),
      ),
      [
        { op: 'replace', value: { displayName: 'A' } },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'a@x' },
      ],
    );
    // Complex attributes and extensions: one operation per attribute, the rest left as it was.
    const ext = scimSchemas.enterpriseUser;
    assert.deepEqual(
      patchOperationsOf(
        body(
          {
            op: 'replace',
            value: { active: false, name: { givenName: 'G' }, [ext]: { department: 'D' } },
          },
          { op: 'add', path: ext.toLowerCase(), value: { employeeNumber: '7' } },
        ),
        [ext],
      ),
      [
        { op: 'replace', value: { active: false } },
        { op: 'replace', path: 'name', value: { givenName: 'G' } },
        { op: 'replace', path: `${ext}:department`, value: 'D' },
        { op: 'add', path: `${ext}:employeeNumber`, value: '7' },
      ],
    );
    assert.deepEqual(patchOperationsOf(body({ op: 'Remove', path: 'title' })), [
      { op: 'remove', path: 'title', value: undefined },
    ]);
    assert.throws(
      () => patchOperationsOf(body({ op: 'add', value: 'x' })),
      refusedAs('scim.invalid_value'),
    );
    assert.throws(
      () => patchOperationsOf(body({ op: 'add', path: '', value: 1 })),
      refusedAs('scim.invalid_path'),
    );
    assert.throws(() => patchOperationsOf({ Operations: [] }), refusedAs('scim.invalid_syntax'));
  });

  it('projections: sub-attributes of complex and multi-valued attributes, extensions by URN, id and schemas kept', () => {
    const ext = scimSchemas.enterpriseUser;
    const resource = {
      schemas: [core, ext],
      id: '1',
      userName: 'u',
      name: { givenName: 'G', familyName: 'F' },
      emails: [
        { value: 'a@x', type: 'work' },
        { value: 'b@x', type: 'home' },
      ],
      [ext]: { department: 'D', employeeNumber: '7' },
    };
    const none = { attributes: [], excludedAttributes: [] };
    assert.deepEqual(project(resource, none, core), resource);
    assert.deepEqual(
      project(
        resource,
        { ...none, attributes: ['EMAILS.type', 'name.givenName', `${ext}:department`] },
        core,
      ),
      {
        schemas: [core, ext],
        id: '1',
        emails: [{ type: 'work' }, { type: 'home' }],
        name: { givenName: 'G' },
        [ext]: { department: 'D' },
      },
    );
    assert.deepEqual(
      project(
        resource,
        { ...none, excludedAttributes: ['emails.value', ext, 'schemas', 'nothing'] },
        core,
      ),
      {
        schemas: [core, ext],
        id: '1',
        userName: 'u',
        name: { givenName: 'G', familyName: 'F' },
        emails: [{ type: 'work' }, { type: 'home' }],
      },
    );
  });
});
