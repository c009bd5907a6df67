import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { controls as catalog } from '../src/compliance/index.ts';
import { platformOrgId } from '../src/platform/index.ts';
import { cliStore } from './support/cli.ts';

interface ControlsJson {
  lastRunAt: string | null;
  controls: { id: string; scope: string; result: { status: string } | null }[];
}
interface RunJson {
  reports: { orgId: string; checked: number; failedChecks: string[]; nowFailing: string[] }[];
  failedOrgs: number;
}

/** `vigil compliance …` (docs/compliance.md#api-and-cli), end to end over a migrated store. */
describe('vigil compliance', () => {
  const store = cliStore({ migrated: true });
  const { owner, vigil } = store;
  let orgId: string;

  before(async () => {
    await store.open();
    assert.equal((await vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme'])).code, 0);
    orgId = String((await owner("SELECT id FROM organizations WHERE slug = 'acme'"))[0]?.id);
  });
  after(() => store.close());

  it('controls: the catalog, every control unchecked before a run', async () => {
    const run = await vigil(['compliance', 'controls', '--org', 'acme']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /controls of acme; last run -/);
    assert.match(run.stdout, /CONTROL\s+SCOPE\s+STATUS\s+SINCE\s+SUMMARY/);
    for (const c of catalog)
      assert.match(run.stdout, new RegExp(`${c.id}\\s+${c.scope}\\s+unchecked`));
  });

  it('run --org: one organization now, recorded as the operator; exit 1 only when a check could not run', async () => {
    const run = await vigil(['compliance', 'run', '--org', 'acme', '--json']);
    const report = JSON.parse(run.stdout) as RunJson;
    assert.deepEqual(
      report.reports.map((r) => r.orgId),
      [orgId],
    );
    const [acme] = report.reports;
    assert.ok(acme && acme.checked > 0);
    assert.equal(run.code, acme.failedChecks.length > 0 ? 1 : 0, run.stderr);
    const stored = await owner('SELECT count(*)::int AS n FROM control_results WHERE org_id = $1', [
      orgId,
    ]);
    assert.equal(stored[0]?.n, acme.checked);
    const failed = await store.audited('compliance.control.failed');
    assert.deepEqual(failed.map((e) => e.targetId).sort(), [...acme.nowFailing].sort());
    assert.ok(failed.every((e) => e.actorType === 'operator'));
  });

  it('controls after a run: results, and exit 1 exactly when a control fails', async () => {
    const run = await vigil(['compliance', 'controls', '--org', 'acme', '--json']);
    const view = JSON.parse(run.stdout) as ControlsJson;
    assert.ok(view.lastRunAt);
    const failing = view.controls.some((c) => c.result?.status === 'fail');
    assert.equal(run.code, failing ? 1 : 0, run.stderr);
    const human = await vigil(['compliance', 'controls', '--org', 'acme']);
    assert.equal(human.code, run.code);
    for (const c of view.controls.filter((c) => c.result))
      assert.match(
        human.stdout,
        new RegExp(`${c.id}\\s+${c.scope}\\s+(pass|FAIL|n/a)`),
        `${c.id} has its status`,
      );
  });

  it('history: a control’s stretches; unknown controls and bad periods are usage errors', async () => {
    const view = JSON.parse(
      (await vigil(['compliance', 'controls', '--org', 'acme', '--json'])).stdout,
    ) as ControlsJson;
    const checked = view.controls.find((c) => c.scope === 'org' && c.result);
    assert.ok(checked);
    const history = await vigil([
      'compliance',
      'history',
      '--org',
      'acme',
      '--control',
      checked.id,
      '--json',
    ]);
    assert.equal(history.code, 0, history.stderr);
    const { results } = JSON.parse(history.stdout) as { results: { status: string }[] };
    assert.deepEqual(
      results.map((r) => r.status),
      [checked.result?.status],
    );
    const human = await vigil(['compliance', 'history', '--org', 'acme', '--control', checked.id]);
    assert.match(human.stdout, new RegExp(`${checked.id} of acme from`));
    const unknown = await vigil(['compliance', 'history', '--org', 'acme', '--control', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--control: there is no control nope/);
    const bad = await vigil([
      'compliance',
      'history',
      '--org',
      'acme',
      '--control',
      checked.id,
      '--from',
      'last week',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from: not an ISO 8601 date/);
    const noOrg = await vigil(['compliance', 'controls']);
    assert.equal(noOrg.code, 2);
    assert.match(noOrg.stderr, /--org/);
  });

  it('run without --org: every active organization, then the platform with its own controls', async () => {
    const run = await vigil(['compliance', 'run', '--json']);
    const report = JSON.parse(run.stdout) as RunJson;
    assert.equal(report.failedOrgs, 0);
    assert.deepEqual(
      report.reports.map((r) => r.orgId),
      [orgId, platformOrgId],
    );
    const broken = report.reports.some((r) => r.failedChecks.length > 0);
    assert.equal(run.code, broken ? 1 : 0, run.stderr);
    const human = await vigil(['compliance', 'run']);
    assert.match(human.stdout, /^acme: \d+ controls checked/m);
    assert.match(human.stdout, /controls checked/);
  });
});
