import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import * as oidc from 'openid-client';
import { apiRoutes, routesOf } from '../src/http/index.ts';
import type { User } from '../src/identity/index.ts';
import { operatorActor, platformOrgId, withOrg, withPlatform } from '../src/platform/index.ts';
import { builtInRoles } from '../src/rbac/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { request } from './support/http.ts';
import { redirectUri } from './support/oidc.ts';

describe('admin REST API', () => {
  let world: OidcWorld;
  let api: string;
  let tokenFor: (user: User) => Promise<string>;
  let call: Awaited<ReturnType<typeof startAdminApiWorld>>['call'];
  let userWithRole: Awaited<ReturnType<typeof startAdminApiWorld>>['userWithRole'];
  let globex: string;
  /** One user per built-in role: the org roles in acme and globex, the platform roles. */
  const holders: { org: 'acme' | 'globex' | 'platform'; role: string; user: User }[] = [];

  before(async () => {
    ({ world, api, tokenFor, call, userWithRole } = await startAdminApiWorld());
    globex = await world.core.createOrg('globex');
    const orgIds = { acme: world.orgId, globex, platform: platformOrgId };
    for (const role of builtInRoles) {
      const orgs = role.platformOnly ? (['platform'] as const) : (['acme', 'globex'] as const);
      for (const org of orgs) {
        const user = await userWithRole(orgIds[org], `${role.key}@${org}.test`, role.key);
        holders.push({ org, role: role.key, user });
      }
    }
  });
  after(() => world.close());

  it('signs in through the hosted pages and calls the API with the JWT issued for it', async () => {
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.rbac.assign(
        tx,
        { orgId: world.orgId, userId: world.user.id, roleKey: 'org-auditor', reason: 'audit' },
        null,
        operatorActor,
      ),
    );
    const client = await world.createClient({
      name: 'Console (confidential)',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
      resources: [api],
    });
    const rp = await oidc.discovery(new URL(world.base), client.id, client.secret);
    const verifier = oidc.randomPKCECodeVerifier();
    const callback = await world.authorize(
      oidc.buildAuthorizationUrl(rp, {
        redirect_uri: redirectUri,
        scope: 'openid',
        resource: api,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }),
    );
    const tokens = await oidc.authorizationCodeGrant(
      rp,
      callback,
      { pkceCodeVerifier: verifier },
      { resource: api },
    );
    assert.equal(tokens.access_token.split('.').length, 3, 'a JWT for the API');
    const users = await call('GET', `/orgs/${world.orgId}/users`, tokens.access_token);
    assert.equal(users.status, 200, users.text);
    const emails = (JSON.parse(users.text) as { items: { email: string }[] }).items.map(
      (u) => u.email,
    );
    assert.ok(emails.includes(world.email));
    const denied = await call(
      'POST',
      `/orgs/${world.orgId}/users/${world.user.id}/suspend`,
      tokens.access_token,
    );
    assert.equal(denied.status, 403);
    assert.match(String(denied.headers['content-type']), /application\/problem\+json/);
  });

  it('answers 401 without a valid token, and stops a deactivated user at once', async () => {
    const target = holders.find((h) => h.org === 'acme' && h.role === 'org-auditor')?.user;
    assert.ok(target);
    for (const bad of ['', 'Bearer nope', `Bearer ${'x'.repeat(10)}.${'y'.repeat(10)}.z`]) {
      const res = await request(`${api}/orgs/${world.orgId}/users`, {
        headers: bad ? { authorization: bad } : {},
      });
      assert.equal(res.status, 401, bad);
      assert.equal(JSON.parse(res.text).code, 'api.unauthenticated');
    }
    const token = await tokenFor(target);
    assert.equal((await call('GET', `/orgs/${world.orgId}/users`, token)).status, 200);
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.lifecycle.deactivate(tx, target.id, 'suspended', operatorActor, {
        source: 'admin',
      }),
    );
    assert.equal((await call('GET', `/orgs/${world.orgId}/users`, token)).status, 401);
  });

  it('takes API keys: their own organization and permissions only', async () => {
    const owner = holders.find((h) => h.org === 'acme' && h.role === 'org-owner')?.user;
    assert.ok(owner);
    const { token } = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.apiKeys.create(
        tx,
        world.orgId,
        { name: 'reporting', permissions: ['users.read'] },
        { userId: owner.id, orgId: world.orgId },
        { type: 'user', id: owner.id },
      ),
    );
    assert.equal((await call('GET', `/orgs/${world.orgId}/users`, token)).status, 200);
    assert.equal((await call('GET', `/orgs/${globex}/users`, token)).status, 403);
    const member = holders.find((h) => h.org === 'acme' && h.role === 'member')?.user;
    const suspend = await call('POST', `/orgs/${world.orgId}/users/${member?.id}/suspend`, token);
    assert.equal(suspend.status, 403, 'the owner may, the key was not given it');
  });

  it('asks an API key to name the owner of a role it creates, as documented', async () => {
    const owner = holders.find((h) => h.org === 'acme' && h.role === 'org-owner')?.user;
    assert.ok(owner);
    const { token } = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.apiKeys.create(
        tx,
        world.orgId,
        { name: 'role sync', permissions: ['roles.manage', 'users.read'] },
        { userId: owner.id, orgId: world.orgId },
        { type: 'user', id: owner.id },
      ),
    );
    const role = {
      key: 'key-made',
      name: 'Made by a key',
      description: 'Reads users.',
      purpose: 'Synced from the HR system.',
      permissions: ['users.read'],
    };
    const unnamed = await call('POST', `/orgs/${world.orgId}/roles`, token, role);
    assert.equal(unnamed.status, 400, unnamed.text);
    assert.equal(unnamed.json().code, 'api.owner_required');
    const named = await call('POST', `/orgs/${world.orgId}/roles`, token, {
      ...role,
      ownerUserId: owner.id,
    });
    assert.equal(named.status, 201, named.text);
    const doc = (await request(`${api}/openapi.json`)).json();
    const documented =
      doc.paths['/api/v1/orgs/{orgId}/roles'].post.requestBody.content['application/json'].schema
        .properties.ownerUserId.description;
    assert.match(documented, /API key .* must name one/);
    assert.match(documented, /api\.owner_required/);
  });

  it('changes a role only with a current If-Match, and approves access through another person', async () => {
    const owner = holders.find((h) => h.org === 'globex' && h.role === 'org-owner')?.user;
    const admin = holders.find((h) => h.org === 'globex' && h.role === 'org-admin')?.user;
    assert.ok(owner && admin);
    // Its own beneficiary: the role holders stay as they are for the matrix.
    const member = await world.auth.createUser(
      globex,
      'temp@globex.test',
      'Correct-Horse-Battery-9',
    );
    const [ownerToken, adminToken] = [await tokenFor(owner), await tokenFor(admin)];
    const created = await call('POST', `/orgs/${globex}/roles`, adminToken, {
      key: 'billing-viewer',
      name: 'Billing viewer',
      description: 'Sees users for invoicing.',
      purpose: 'Finance checks seat counts against invoices.',
      permissions: ['users.read'],
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.etag, 'W/"v1"');
    const patch = (ifMatch?: string) =>
      request(`${api}/orgs/${globex}/roles/billing-viewer`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${adminToken}`,
          'content-type': 'application/json',
          ...(ifMatch ? { 'if-match': ifMatch } : {}),
        },
        body: JSON.stringify({ description: 'Sees users for invoicing and audits.' }),
      });
    assert.equal((await patch()).status, 428);
    const changed = await patch('W/"v1"');
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.headers.etag, 'W/"v2"');
    assert.equal((await patch('W/"v1"')).status, 412, 'a stale version is refused');

    // A privileged role for a member: a request, which its requester cannot approve.
    const asked = await call('POST', `/orgs/${globex}/assignments`, adminToken, {
      userId: member.id,
      roleKey: 'org-admin',
      reason: 'covers for the admin on leave',
    });
    assert.equal(asked.status, 202, asked.text);
    const { requestId } = JSON.parse(asked.text) as { requestId: string };
    const self = await call(
      'POST',
      `/orgs/${globex}/access-requests/${requestId}/approve`,
      adminToken,
      {
        note: 'mine',
      },
    );
    assert.equal(self.status, 403, 'the org-admin lacks access.approve');
    const approved = await call(
      'POST',
      `/orgs/${globex}/access-requests/${requestId}/approve`,
      ownerToken,
      {
        note: 'ok for two weeks',
      },
    );
    assert.equal(approved.status, 200, approved.text);
    const assignments = JSON.parse(
      (await call('GET', `/orgs/${globex}/assignments`, ownerToken)).text,
    ) as { items: { userId: string; roleKey: string }[] };
    assert.ok(assignments.items.some((a) => a.userId === member.id && a.roleKey === 'org-admin'));
  });

  it('pages users with a cursor, and gives an ETag', async () => {
    const owner = holders.find((h) => h.org === 'globex' && h.role === 'org-owner')?.user;
    assert.ok(owner);
    const token = await tokenFor(owner);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(
        'GET',
        `/orgs/${globex}/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        token,
      );
      assert.equal(res.status, 200, res.text);
      const body = JSON.parse(res.text) as { items: { id: string }[]; nextCursor: string | null };
      assert.ok(body.items.length <= 2);
      seen.push(...body.items.map((u) => u.id));
      cursor = body.nextCursor;
    } while (cursor);
    const { length } = await withOrg(world.core.database, globex, (tx) =>
      world.auth.identity.listUsers(tx, globex),
    );
    assert.ok(length > 2, 'more than one page');
    assert.equal(seen.length, length, 'every globex user, each once');
    assert.equal(new Set(seen).size, length);
    const one = await call('GET', `/orgs/${globex}/users/${seen[0]}`, token);
    assert.match(String(one.headers.etag), /^W\/"/);
    const bad = await call('GET', `/orgs/${globex}/users?limit=0`, token);
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.text).code, 'api.invalid_query');
  });

  it('matrix: every route as every built-in role of two organizations — allowed only where the role has the permission in its own organization', async () => {
    const orgOf = { acme: world.orgId, globex, platform: platformOrgId };
    const missing = '00000000-0000-7000-8000-000000000000';
    const active = holders.filter((h) => !(h.org === 'acme' && h.role === 'org-auditor'));
    for (const holder of active) {
      const token = await tokenFor(holder.user);
      const role = builtInRoles.find((r) => r.key === holder.role);
      for (const route of apiRoutes) {
        const targets = route.scope === 'platform' ? [platformOrgId] : [world.orgId, globex];
        for (const orgId of targets) {
          // A user to act on that exists in the target organization (never the caller).
          const subject = holders.find(
            (h) => orgOf[h.org] === orgId && h.user.id !== holder.user.id && h.role === 'member',
          )?.user;
          const path = route.path
            .replace('{orgId}', orgId)
            .replace('{userId}', subject?.id ?? missing)
            .replace(/\{\w+Id\}/g, missing)
            .replace('{roleKey}', 'support')
            .replace('{control}', 'password-policy');
          const body =
            route.method === 'POST' && route.path === '/orgs/{orgId}/users'
              ? { email: `new-${holder.role}-${holder.org}@x.test`, displayName: 'N' }
              : route.example;
          const res = await call(route.method, path, token, body).catch((err: unknown) => {
            throw new Error(`${holder.role}@${holder.org} ${route.method} ${path}: ${err}`);
          });
          const sameOrg = orgOf[holder.org] === orgId || holder.org === 'platform';
          const allowed = sameOrg && (role?.permissions.includes(route.permission) ?? false);
          const label = `${holder.role}@${holder.org} ${route.method} ${route.path} on ${orgId === world.orgId ? 'acme' : orgId === globex ? 'globex' : 'platform'}`;
          if (allowed) {
            // Past the check: whatever the handler says (404 for the made-up ids, 428 for a
            // PATCH without If-Match), never a refusal and never a server error.
            assert.ok(
              ![401, 403].includes(res.status) && res.status < 500,
              `${label}: expected allowed, got ${res.status} ${res.text}`,
            );
          } else {
            assert.equal(res.status, 403, `${label}: expected 403, got ${res.status} ${res.text}`);
            assert.equal(JSON.parse(res.text).code, 'rbac.forbidden');
          }
          if (allowed && route.path === '/orgs/{orgId}/suspend') {
            // Reactivate it for the next caller: its users' tokens are refused while it is not.
            await withPlatform(world.core.database, (tx) =>
              world.auth.lifecycle.reactivateOrganization(tx, orgId, 'matrix', operatorActor),
            );
          }
          if (
            allowed &&
            subject &&
            /\/users\/\{userId\}\/(suspend|deprovision)$/.test(route.path)
          ) {
            // Put the subject back for the next caller, as active and a member again (a
            // deprovisioned user stays so, and loses their roles: recreate both).
            await withPlatform(world.core.database, async (tx) => {
              await tx
                .updateTable('users')
                .set({ status: 'active', deactivated_at: null })
                .where('id', '=', subject.id)
                .execute();
              if (!(await world.auth.identity.roleKeysOf(tx, subject.id)).includes('member'))
                await world.auth.rbac.assign(
                  tx,
                  { orgId, userId: subject.id, roleKey: 'member', reason: 'matrix test' },
                  null,
                  operatorActor,
                );
            });
          }
        }
      }
    }
  });

  it('publishes OpenAPI 3.1 listing every route the server has', async () => {
    const res = await request(`${api}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = JSON.parse(res.text) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    // Valid against the OpenAPI 3.1 schema (its JSON Schema dialect included), by a validator.
    const validator = new Validator();
    const verdict = await validator.validate(structuredClone(doc));
    assert.deepEqual(verdict.errors, undefined);
    assert.equal(verdict.valid, true);
    assert.equal(validator.version, '3.1');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const served = routesOf(world.server.app)
      .filter(
        (r) =>
          r.url.startsWith('/api/v1/') && r.url !== '/api/v1/openapi.json' && r.method !== 'HEAD',
      )
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    assert.deepEqual(documented.sort(), served.sort());
    // And so does the table of docs/admin-api.md, with each route's permission.
    const manual = await readFile(new URL('../docs/admin-api.md', import.meta.url), 'utf8');
    const rows = [...manual.matchAll(/^\| `(\w+) (\/[^`]*)` \| `([\w.]+)` \|/gm)].map(
      (m) => `${m[1]} /api/v1${m[2]} ${m[3]}`,
    );
    const table = apiRoutes.map((r) => `${r.method} /api/v1${r.path} ${r.permission}`);
    assert.deepEqual(rows.sort(), table.sort());
  });
});
