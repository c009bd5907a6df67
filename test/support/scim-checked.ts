import assert from 'node:assert/strict';
import { type Response, request } from './http.ts';
import type { ScimWorld } from './scim.ts';
import { coreGroup, enterpriseUser, query } from './scim-directories.ts';
import {
  assertConforming,
  assertConformingError,
  assertConformingList,
  definitionOf,
  rfc,
  vigilUserUrn,
} from './scim-rfc.ts';

// biome-ignore lint/suspicious/noExplicitAny: answers are read as the JSON they are.
export type Json = Record<string, any>;
type Kind = 'Users' | 'Groups';

/**
 * A SCIM client of acme's root over the TLS socket (as a directory reaches Vigil) whose every
 * answer is checked by SCIMMY (test/support/scim-rfc.ts): a resource against the RFC's schema
 * and against the schema Vigil itself publishes at /Schemas, a list, an error.
 */
export async function checkedScim(w: ScimWorld) {
  /** Where Vigil says its resources are (meta.location): its public URL, not the socket's. */
  const root = `${w.server.core.config.VIGIL_PUBLIC_URL}/scim/v2/acme`;

  async function scim(method: string, path: string, body?: unknown, headers = {}) {
    const res = await request(`${w.server.url}/scim/v2/acme${path}`, {
      method,
      headers: {
        authorization: `Bearer ${w.tokens.acme}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== 204)
      assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
    return res;
  }

  const documents = (await scim('GET', '/Schemas')).json().Resources as Json[];
  const published = (id: string) => definitionOf(documents.find((d) => d.id === id) as Json);
  const own = {
    Users: published(rfc.user.id).extend(published(enterpriseUser)).extend(published(vigilUserUrn)),
    Groups: published(coreGroup),
  };
  const standard = { Users: rfc.user, Groups: rfc.group };

  return {
    root,
    scim,
    /** A single resource answered with `status`, conforming; its ETag and Location agree. */
    resource(res: Response, status: number, kind: Kind): Json {
      assert.equal(res.status, status, res.text);
      const body = res.json();
      assertConforming(standard[kind], body, `${root}/${kind}`);
      assertConforming(own[kind], body, `${root}/${kind}`);
      assert.equal(res.headers.etag, body.meta.version, 'ETag is meta.version (RFC 7644 §3.14)');
      if (status === 201) assert.equal(res.headers.location, body.meta.location);
      return body;
    },
    /** A ListResponse of `kind`, conforming: its resources. */
    list(res: Response, kind: Kind): Json[] {
      assert.equal(res.status, 200, res.text);
      assertConformingList(standard[kind], res.json(), `${root}/${kind}`);
      return assertConformingList(own[kind], res.json(), `${root}/${kind}`);
    },
    error(res: Response, status: number, scimType?: string): void {
      assert.equal(res.status, status, res.text);
      assertConformingError(res.json(), status, scimType);
    },
    userFilter: (filter: string, extra: Record<string, string> = {}) =>
      scim('GET', `/Users?${query({ filter, ...extra })}`),
  };
}
