import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { controls as catalog } from '../src/compliance/index.ts';
import type { User } from '../src/identity/index.ts';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;
const json = <T = Record<string, unknown>>(res: { text: string }) => JSON.parse(res.text) as T;

interface ControlsJson {
  criteria: Record<string, string>;
  lastRunAt: string | null;
  controls: { id: string; scope: string; criteria: string[]; result: { status: string } | null }[];
}

/** The live checks through the admin API (docs/compliance.md#api-and-cli). */
describe('admin API: compliance controls, history, posture, runs', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let acme: string;
  const tokens: Record<string, string> = {};
  const base = () => `/orgs/${acme}/compliance`;

  before(async () => {
    let userWithRole: Api['userWithRole'];
    let tokenFor: Api['tokenFor'];
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld({ totp: false }));
    acme = world.orgId;
    const owner: User = await userWithRole(acme, 'owner@acme.test', 'org-owner');
    const member = await userWithRole(acme, 'member@acme.test', 'member');
    // A custom role of compliance.read alone: the permission is what opens the routes.
    await withOrg(world.core.database, acme, (tx) =>
      world.auth.rbac.createRole(
        tx,
        acme,
        {
          key: 'compliance-viewer',
          name: 'Compliance viewer',
          description: 'Sees the controls and their live checks.',
          purpose: 'The compliance team follows the posture between audits.',
          permissions: ['compliance.read'],
          ownerUserId: owner.id,
        },
        null,
        operatorActor,
      ),
    );
    const viewer = await userWithRole(acme, 'viewer@acme.test', 'compliance-viewer');
    for (const [name, user] of Object.entries({ owner, member, viewer }))
      tokens[name] = await tokenFor(user);
  });
  after(() => world.close());

  it('refuses a caller without compliance.read (403), on every route', async () => {
    for (const [method, path] of [
      ['GET', `${base()}/controls`],
      ['GET', `${base()}/controls/password-policy/history`],
      ['GET', `${base()}/posture`],
      ['POST', `${base()}/runs`],
    ] as const) {
      const res = await call(method, path, tokens.member ?? '');
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(json(res).code, 'rbac.forbidden');
    }
  });

  it('GET controls: the whole catalog with criteria, unchecked before the first run', async () => {
    const res = await call('GET', `${base()}/controls`, tokens.viewer ?? '');
    assert.equal(res.status, 200, res.text);
    const body = json<ControlsJson>(res);
    assert.deepEqual(
      body.controls.map((c) => c.id),
      catalog.map((c) => c.id),
    );
    assert.equal(body.lastRunAt, null);
    assert.ok(body.controls.every((c) => c.result === null));
    for (const c of body.controls) for (const k of c.criteria) assert.ok(body.criteria[k], k);
  });

  it('POST runs: runs the checks now and answers the controls with their results', async () => {
    const res = await call('POST', `${base()}/runs`, tokens.viewer ?? '', {});
    assert.equal(res.status, 200, res.text);
    const body = json<ControlsJson>(res);
    assert.ok(body.lastRunAt, 'the run is the organization’s last');
    const stored = await withPlatform(world.core.database, (tx) =>
      tx.selectFrom('control_results').select('control_id').where('org_id', '=', acme).execute(),
    );
    assert.ok(stored.length > 0);
    const answered = body.controls.filter((c) => c.scope === 'org' && c.result !== null);
    assert.deepEqual(
      answered.map((c) => c.id).sort(),
      stored.map((r) => r.control_id).sort(),
      'each recorded result is answered',
    );
    // The platform's controls run with the platform organization only.
    assert.ok(body.controls.filter((c) => c.scope === 'platform').every((c) => c.result === null));
    const again = json<ControlsJson>(await call('GET', `${base()}/controls`, tokens.owner ?? ''));
    assert.equal(again.lastRunAt, body.lastRunAt);
  });

  it('GET history: the stretches of a control; GET posture: one point per day', async () => {
    const checked = json<ControlsJson>(
      await call('GET', `${base()}/controls`, tokens.viewer ?? ''),
    ).controls.find((c) => c.result !== null);
    assert.ok(checked, 'a control with a result');
    const history = await call(
      'GET',
      `${base()}/controls/${checked.id}/history`,
      tokens.viewer ?? '',
    );
    assert.equal(history.status, 200, history.text);
    const { results } = json<{ results: { status: string; since: string; until: string }[] }>(
      history,
    );
    assert.equal(results.length, 1);
    assert.equal(results[0]?.status, checked.result?.status);
    const today = new Date().toISOString().slice(0, 10);
    const posture = await call(
      'GET',
      `${base()}/posture?from=${today}&to=${today}`,
      tokens.viewer ?? '',
    );
    assert.equal(posture.status, 200, posture.text);
    const { days } = json<{ days: Record<string, number | string>[] }>(posture);
    assert.equal(days.length, 1);
    const [point] = days;
    assert.equal(point?.day, today);
    const total = ['pass', 'fail', 'notApplicable', 'unchecked'].reduce(
      (n, k) => n + Number(point?.[k]),
      0,
    );
    assert.equal(total, catalog.length);
    assert.ok(Number(point?.unchecked) < catalog.length, 'the run counts');
  });

  it('bad input: clear problems, never a 500', async () => {
    const cases: [string, number, string][] = [
      [`${base()}/controls/no-such-control/history`, 404, 'compliance.control_not_found'],
      [`${base()}/controls/Not_A_Slug/history`, 400, 'api.invalid_path'],
      [
        `${base()}/controls/password-policy/history?from=yesterday`,
        400,
        'compliance.period_invalid',
      ],
      [
        `${base()}/controls/password-policy/history?from=2026-02-31`,
        400,
        'compliance.period_invalid',
      ],
      [`${base()}/posture?from=2026-03-02&to=2026-03-01`, 400, 'compliance.period_invalid'],
      [`${base()}/posture?from=2024-01-01&to=2026-01-01`, 400, 'compliance.period_invalid'],
      [`${base()}/posture?from=2026-03-01T00:00:00Z`, 400, 'compliance.period_invalid'],
      [`${base()}/posture?days=7`, 400, 'api.invalid_query'],
    ];
    for (const [path, status, code] of cases) {
      const res = await call('GET', path, tokens.viewer ?? '');
      assert.equal(res.status, status, `${path}: ${res.text}`);
      const problem = json(res);
      assert.equal(problem.code, code, path);
      assert.equal(
        res.headers['content-type']?.toString().split(';')[0],
        'application/problem+json',
      );
    }
    const period = json(
      await call('GET', `${base()}/posture?from=2024-01-01&to=2026-01-01`, tokens.viewer ?? ''),
    );
    assert.match(String(period.detail), /to: at most 400 days/);
  });
});
