import assert from 'node:assert/strict';
import type { RunningServer } from '../../src/app/server.ts';
import { createServices } from '../../src/app/services.ts';
import { operatorActor, withPlatform } from '../../src/platform/index.ts';
import { openTestCore, type TestCore } from './core.ts';
import { inject, type Response, startTestServer } from './http.ts';
import { coreUser, enterpriseUser } from './scim-directories.ts';

export const scimJson = 'application/scim+json';

/**
 * A running Vigil with two customer organizations (acme and globex) and a SCIM token of each:
 * `scim(method, path, body?)` sends one request to acme's SCIM root in-process, with acme's
 * token unless `options.token` says otherwise.
 */
export async function startScimWorld() {
  const core: TestCore = await openTestCore();
  const server: RunningServer = await startTestServer(core);
  const services = createServices(server.core);
  const acme = await core.createOrg('acme');
  const globex = await core.createOrg('globex');
  const tokenOf = async (orgId: string, name: string) =>
    (await services.scimTokens.createInOrg(orgId, { name }, operatorActor)).token;
  const tokens = { acme: await tokenOf(acme, 'Entra ID'), globex: await tokenOf(globex, 'Okta') };

  function scim(
    method: string,
    path: string,
    body?: unknown,
    options: { token?: string | null; headers?: Record<string, string>; org?: string } = {},
  ): Promise<Response> {
    const token = options.token === undefined ? tokens.acme : options.token;
    return inject(server.app, `/scim/v2/${options.org ?? 'acme'}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': scimJson }),
        ...options.headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Every audit event of `action` about `targetId`, oldest first. */
  const events = (action: string, targetId: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['actor_type', 'actor_id', 'details'])
        .where('action', '=', action)
        .where('target_id', '=', targetId)
        .orderBy('seq')
        .execute(),
    ).then((rows) =>
      rows.map((r) => ({
        actorType: r.actor_type,
        actorId: r.actor_id,
        details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<
          string,
          unknown
        >,
      })),
    );

  /** The user row as stored (any status). */
  const stored = (id: string) =>
    withPlatform(core.database, (tx) =>
      tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    );

  /** How many users every organization holds together (any status). */
  const userCount = async () =>
    Number(
      (
        await withPlatform(core.database, (tx) =>
          tx
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow(),
        )
      ).n,
    );

  return {
    core,
    server,
    services,
    orgs: { acme, globex },
    tokens,
    scim,
    events,
    stored,
    userCount,
    async close() {
      await server.stop();
      await core.close();
    },
  };
}

export type ScimWorld = Awaited<ReturnType<typeof startScimWorld>>;

/**
 * Create bodies of fresh people (`person1@acme.test`, …, each with an externalId, names, an
 * employee number and a department) and `n`, the number of the last one.
 */
export function scimPeople() {
  let n = 0;
  return {
    get n() {
      return n;
    },
    body(extra: Record<string, unknown> = {}): Record<string, unknown> {
      n += 1;
      return {
        schemas: [coreUser, enterpriseUser],
        userName: `person${n}@acme.test`,
        externalId: `ext-${n}`,
        name: { givenName: `Given${n}`, familyName: `Family${n}` },
        emails: [{ value: `person${n}@acme.test`, type: 'work', primary: true }],
        active: true,
        [enterpriseUser]: { employeeNumber: `E${n}`, department: 'Engineering' },
        ...extra,
      };
    },
  };
}

/** Asserts a SCIM error answer (RFC 7644 §3.12): its status, its scimType and the error schema. */
export function assertScimError(
  res: { status: number; json(): unknown },
  status: number,
  scimType?: string,
): void {
  assert.equal(res.status, status);
  const body = res.json() as Record<string, unknown>;
  assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  assert.equal(body.status, String(status));
  assert.equal(body.scimType, scimType);
}
