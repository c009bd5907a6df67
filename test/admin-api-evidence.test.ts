import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packFiles } from '../src/compliance/evidence/layout.ts';
import { readZip } from '../src/compliance/evidence/read-zip.ts';
import { verifyPackFiles } from '../src/compliance/evidence/verify-pack.mjs';
import type { User } from '../src/identity/index.ts';
import { withOrg } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';

/**
 * The evidence pack through the admin API (docs/compliance.md#evidence-packs): a ZIP attachment
 * for whoever holds compliance.export, a problem for a bad period, a refusal for anyone else.
 */
describe('admin API: evidence pack', () => {
  let world: OidcWorld;
  let acme: string;
  let auditor: User;
  let member: User;
  let auditorToken: string;
  let memberToken: string;
  let dir: string;
  const today = new Date().toISOString().slice(0, 10);

  before(async () => {
    const api = await startAdminApiWorld();
    world = api.world;
    acme = world.orgId;
    auditor = await api.userWithRole(acme, 'auditor@acme.test', 'org-auditor');
    member = await api.userWithRole(acme, 'member@acme.test', 'member');
    auditorToken = await api.tokenFor(auditor);
    memberToken = await api.tokenFor(member);
    dir = await mkdtemp(join(tmpdir(), 'vigil-pack-api-'));
  });

  after(async () => {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (query: string, token: string) =>
    world.server.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${acme}/evidence-pack${query}`,
      headers: { authorization: `Bearer ${token}` },
    });

  it('streams the signed pack as a ZIP attachment and records the export', async () => {
    const res = await get(`?from=2026-01-01&to=${today}`, auditorToken);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.equal(
      res.headers['content-disposition'],
      `attachment; filename="vigil-evidence-acme-2026-01-01-${today}.zip"`,
    );
    const path = join(dir, 'pack.zip');
    await writeFile(path, res.rawPayload);
    const files = await readZip(path);
    const verification = verifyPackFiles(files);
    assert.deepEqual(verification.problems, []);
    const users = files.get(packFiles.userAccess)?.toString() ?? '';
    assert.match(users, /auditor@acme\.test/);
    assert.match(users, /member@acme\.test/);
    const event = await withOrg(world.core.database, acme, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['actor_id', 'details'])
        .where('action', '=', 'evidence.exported')
        .executeTakeFirstOrThrow(),
    );
    assert.equal(event.actor_id, auditor.id);
    assert.equal(JSON.parse(event.details).files, files.size);
  });

  it('refuses a bad, reversed or too long period with a problem, before anything is built', async () => {
    const cases: [string, RegExp][] = [
      ['?from=2026-07-01&to=2026-06-30', /to: is before from/],
      ['?from=2026-02-30&to=2026-03-31', /from: 2026-02-30 is not a calendar date/],
      ['?from=yesterday&to=2026-03-31', /from: must be a date/],
      ['?from=2025-01-01&to=2026-03-01', /longer than 400 days/],
    ];
    for (const [query, detail] of cases) {
      const res = await get(query, auditorToken);
      assert.equal(res.statusCode, 400, query);
      assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
      const problem = JSON.parse(res.body);
      assert.equal(problem.code, 'evidence.period_invalid', query);
      assert.match(problem.detail, detail, query);
    }
    const missing = await get('?from=2026-01-01', auditorToken);
    assert.equal(missing.statusCode, 400);
    const exports = await withOrg(world.core.database, acme, (tx) =>
      tx
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('action', '=', 'evidence.exported')
        .executeTakeFirstOrThrow(),
    );
    assert.equal(Number(exports.n), 1, 'only the first test exported');
  });

  it('refuses anyone without compliance.export', async () => {
    const res = await get(`?from=2026-01-01&to=${today}`, memberToken);
    assert.equal(res.statusCode, 403);
    assert.equal(JSON.parse(res.body).code, 'rbac.forbidden');
  });
});
