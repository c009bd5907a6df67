import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { complianceServices } from '../src/app/compliance-services.ts';
import type { CheckOutcome, Control } from '../src/compliance/index.ts';
import { fixedClock, platformOrgId, withPlatform } from '../src/platform/index.ts';
import { alertDriver } from './support/alerts.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

const passing = (summary = 'all good'): CheckOutcome => ({
  status: 'pass',
  summary,
  exceptions: [],
});
const failing = (count: number): CheckOutcome => ({
  status: 'fail',
  summary: `${count} exceptions`,
  exceptions: Array.from({ length: count }, (_, i) => ({
    message: `exception ${i}`,
    subject: { type: 'user', id: `u${i}` },
  })),
});

/**
 * The runner of the live checks (docs/compliance.md#live-checks-and-posture) over controls the
 * test builds: what each answers is set per organization before a run.
 */
describe('compliance runner: history, audit events, failing checks, schedule, reads', () => {
  const clock = fixedClock(new Date('2026-03-02T09:00:00Z'));
  let core: TestCore;
  let services: ReturnType<typeof authServices>;
  let acme: string;
  let globex: string;
  /** What each control answers, by `orgId/controlId`; an Error is thrown. */
  const answers = new Map<string, CheckOutcome | Error | 'sql-error'>();
  /** While set, the `slow` control waits for it (the schedule test). */
  let gate: Promise<void> | null = null;
  let entered: () => void = () => undefined;

  const control = (id: string, scope: Control['scope']): Control => ({
    id,
    title: `Control ${id}`,
    description: `What ${id} is`,
    test: `What ${id} tests`,
    criteria: ['CC6.1', 'CC7.2'],
    scope,
    evidence: ['policies/password.json'],
    async check(ctx) {
      if (id === 'slow' && gate) {
        entered();
        await gate;
      }
      const answer = answers.get(`${ctx.orgId}/${id}`) ?? passing();
      if (answer === 'sql-error') {
        // A statement that fails: without a savepoint PostgreSQL would abort the whole run.
        await sql`SELECT 1 / 0`.execute(ctx.tx);
      }
      if (answer instanceof Error) throw answer;
      return answer as CheckOutcome;
    },
  });
  const controls = [
    control('alpha', 'org'),
    control('beta', 'org'),
    control('slow', 'org'),
    control('keys', 'platform'),
  ];
  let compliance: ReturnType<typeof complianceServices>;

  const rows = (orgId: string, controlId: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('control_results')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('control_id', '=', controlId)
        .orderBy('first_seen_at')
        .execute(),
    );
  const events = (orgId: string, controlId: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['action', 'details', 'target_type', 'actor_id'])
        .where('org_id', '=', orgId)
        .where('target_id', '=', controlId)
        .where('action', 'like', 'compliance.control.%')
        .orderBy('tx')
        .orderBy('seq')
        .execute()
        .then((found) =>
          found.map((e) => ({
            ...e,
            details: JSON.parse(String(e.details)) as Record<string, unknown>,
          })),
        ),
    );

  before(async () => {
    core = await openTestCore({ clock });
    services = authServices(core);
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    compliance = complianceServices(core, services, { controls });
  });
  after(() => core.close());
  beforeEach(() => {
    answers.clear();
    clock.advance(3_600_000);
  });

  it('keeps history as stretches: the same result extends its row, a change starts one', async () => {
    answers.set(`${acme}/alpha`, failing(2));
    const first = clock.now();
    await compliance.runner.runOrg(acme);
    clock.advance(3_600_000);
    const second = clock.now();
    answers.set(`${acme}/alpha`, failing(2));
    await compliance.runner.runOrg(acme);
    let alpha = await rows(acme, 'alpha');
    assert.equal(alpha.length, 1, 'the same result twice is one row');
    assert.equal(alpha[0]?.first_seen_at.getTime(), first.getTime());
    assert.equal(alpha[0]?.last_seen_at.getTime(), second.getTime());
    // Another exception list is another result, even with the same status.
    clock.advance(3_600_000);
    answers.set(`${acme}/alpha`, failing(3));
    await compliance.runner.runOrg(acme);
    alpha = await rows(acme, 'alpha');
    assert.equal(alpha.length, 2);
    assert.equal(alpha[1]?.status, 'fail');
    assert.equal((alpha[1]?.exceptions as unknown[] | undefined)?.length, 3);
    // The platform's controls run only with the platform organization, under it.
    assert.equal((await rows(acme, 'keys')).length, 0);
  });

  it('audits pass→fail and fail→pass only, with the criteria and capped exceptions', async () => {
    const target = 'beta';
    const run = async (answer: CheckOutcome) => {
      answers.set(`${globex}/${target}`, answer);
      clock.advance(60_000);
      return compliance.runner.runOrg(globex);
    };
    assert.deepEqual((await run(passing())).nowFailing, []);
    const failed = await run(failing(25));
    assert.deepEqual(failed.nowFailing, [target]);
    await run(failing(25));
    await run(failing(26));
    const recovered = await run(passing('fixed'));
    assert.deepEqual(recovered.recovered, [target]);
    await run(passing('fixed'));
    await run({ status: 'not_applicable', summary: 'nothing to check', exceptions: [] });
    await run(failing(1));
    const audited = await events(globex, target);
    assert.deepEqual(
      audited.map((e) => e.action),
      ['compliance.control.failed', 'compliance.control.recovered', 'compliance.control.failed'],
      'a failure that stays failing (even with other exceptions) is not audited again',
    );
    const details = audited[0]?.details ?? {};
    assert.equal(audited[0]?.target_type, 'control');
    assert.equal(audited[0]?.actor_id, 'compliance-checks');
    assert.deepEqual(details.criteria, ['CC6.1', 'CC7.2']);
    assert.equal(details.summary, '25 exceptions');
    assert.equal((details.exceptions as unknown[]).length, 20, 'capped');
    assert.equal(details.exceptionCount, 25, 'with the count of all');
    assert.equal(audited[1]?.details.summary, 'fixed');
  });

  it('a check that throws (or whose statement fails) is skipped; the others are recorded', async () => {
    answers.set(`${acme}/alpha`, new Error('check broke'));
    answers.set(`${acme}/beta`, 'sql-error');
    answers.set(`${acme}/slow`, failing(1));
    const before = await rows(acme, 'alpha');
    const report = await compliance.runner.runOrg(acme);
    assert.deepEqual(report.failedChecks.sort(), ['alpha', 'beta']);
    assert.equal(report.checked, 1);
    assert.deepEqual(await rows(acme, 'alpha'), before, 'nothing recorded for a failed check');
    const slow = await rows(acme, 'slow');
    assert.equal(slow.at(-1)?.status, 'fail', 'the control after them still counts');
    assert.equal(slow.at(-1)?.first_seen_at.getTime(), clock.now().getTime());
  });

  it('runAll: every active organization and the platform, whose platform controls count once', async () => {
    answers.set(`${platformOrgId}/keys`, failing(1));
    const { reports, failedOrgs } = await compliance.runner.runAll();
    assert.equal(failedOrgs, 0);
    const ids = reports.map((r) => r.orgId);
    for (const id of [acme, globex, platformOrgId]) assert.ok(ids.includes(id));
    assert.equal(ids.at(-1), platformOrgId, 'the platform last');
    assert.equal(reports.find((r) => r.orgId === acme)?.checked, 3);
    assert.equal(reports.find((r) => r.orgId === platformOrgId)?.checked, 4);
    assert.equal((await rows(platformOrgId, 'keys')).at(-1)?.status, 'fail');
    assert.deepEqual(
      (await events(platformOrgId, 'keys')).map((e) => e.action),
      ['compliance.control.failed'],
    );
  });

  it('the schedule runs on one node: a round while another holds the lock does nothing', async () => {
    const other = complianceServices(core, services, { controls });
    let release: () => void = () => undefined;
    gate = new Promise((resolve) => {
      release = resolve;
    });
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const first = compliance.schedule.runRound();
    await inside;
    const second = await other.schedule.runRound();
    assert.deepEqual(second, { ran: false }, 'skipped while the first round runs');
    release();
    gate = null;
    const done = await first;
    assert.equal(done.ran, true);
    const again = await other.schedule.runRound();
    assert.equal(again.ran, true, 'the lock is free once the round is over');
  });

  it('controlsOf: every control with its current result; the platform’s shown to each organization', async () => {
    answers.set(`${globex}/alpha`, failing(2));
    answers.set(`${platformOrgId}/keys`, passing('keys rotated'));
    await compliance.runner.runOrg(globex);
    await compliance.runner.runOrg(platformOrgId);
    const view = await compliance.controlsOf(globex);
    assert.equal(view.lastRunAt?.getTime(), clock.now().getTime());
    assert.deepEqual(
      view.controls.map((c) => [c.id, c.scope, c.result?.status]),
      [
        ['alpha', 'org', 'fail'],
        ['beta', 'org', 'pass'],
        ['slow', 'org', 'pass'],
        ['keys', 'platform', 'pass'],
      ],
    );
    const alpha = view.controls[0];
    assert.equal(alpha?.result?.exceptions.length, 2);
    assert.equal(alpha?.result?.checkedAt.getTime(), clock.now().getTime());
    assert.equal(view.controls[3]?.result?.summary, 'keys rotated');
    assert.ok(view.criteria['CC6.1']);
    const fresh = await core.createOrg('fresh');
    const unchecked = await compliance.controlsOf(fresh);
    assert.equal(unchecked.lastRunAt, null);
    assert.deepEqual(
      unchecked.controls.map((c) => c.result?.status ?? null),
      [null, null, null, 'pass'],
    );
  });

  it('history and posture: stretches over a period, and one point per day', async () => {
    const org = await core.createOrg('posture');
    clock.set(new Date('2026-04-01T12:00:00Z'));
    answers.set(`${org}/alpha`, failing(1));
    await compliance.runner.runOrg(org);
    clock.set(new Date('2026-04-02T12:00:00Z'));
    answers.set(`${org}/alpha`, failing(1));
    await compliance.runner.runOrg(org);
    clock.set(new Date('2026-04-03T12:00:00Z'));
    answers.set(`${org}/alpha`, passing());
    answers.set(`${org}/beta`, { status: 'not_applicable', summary: 'none', exceptions: [] });
    await compliance.runner.runOrg(org);
    clock.set(new Date('2026-04-04T08:00:00Z'));
    const history = await compliance.history(org, 'alpha', {
      from: '2026-03-31',
      to: '2026-04-05',
    });
    assert.deepEqual(
      history.results.map((r) => [r.status, r.since.toISOString(), r.until.toISOString()]),
      [
        ['fail', '2026-04-01T12:00:00.000Z', '2026-04-02T12:00:00.000Z'],
        ['pass', '2026-04-03T12:00:00.000Z', '2026-04-03T12:00:00.000Z'],
      ],
    );
    const narrow = await compliance.history(org, 'alpha', { from: '2026-04-03T00:00:00Z' });
    assert.equal(narrow.results.length, 1, 'only what held within the period');
    const { days } = await compliance.posture(org, { from: '2026-03-31', to: '2026-04-06' });
    // The platform's control `keys` last passed (previous test) and counts for every day after.
    assert.deepEqual(
      days.map((d) => [d.day, d.pass, d.fail, d.notApplicable, d.unchecked]),
      [
        ['2026-03-31', 1, 0, 0, 3],
        ['2026-04-01', 3, 1, 0, 0],
        ['2026-04-02', 3, 1, 0, 0],
        ['2026-04-03', 3, 0, 1, 0],
        ['2026-04-04', 3, 0, 1, 0],
      ],
      'days after today are left out',
    );
    await assert.rejects(compliance.history(org, 'nope', {}), {
      code: 'compliance.control_not_found',
    });
    await assert.rejects(compliance.posture(org, { from: '2026-04-02', to: '2026-04-01' }), {
      code: 'compliance.period_invalid',
    });
    await assert.rejects(compliance.posture(org, { from: '2025-01-01', to: '2026-04-01' }), {
      code: 'compliance.period_invalid',
    });
    await assert.rejects(compliance.history(org, 'alpha', { from: '2026-02-31' }), {
      code: 'compliance.period_invalid',
    });
  });

  it('compliance.control_failed: the engine raises a high alert per failing control', async () => {
    const org = await core.createOrg('alerted');
    const driver = alertDriver(core, services.alerts);
    await driver.settle();
    answers.set(`${org}/alpha`, failing(12));
    answers.set(`${org}/beta`, failing(1));
    await compliance.runner.runOrg(org);
    await driver.settle();
    const alerts = await driver.alertsOf(org, 'compliance.control_failed');
    assert.equal(alerts.length, 2, 'one per control');
    const alpha = alerts.find((a) => a.details.control === 'alpha');
    assert.equal(alpha?.severity, 'high');
    assert.equal((alpha?.details.exceptions as unknown[] | undefined)?.length, 10);
    assert.equal(alpha?.details.moreExceptions, 2);
    // It recovers and fails again while the alert is open: the same alert grows.
    answers.set(`${org}/alpha`, passing());
    await compliance.runner.runOrg(org);
    answers.set(`${org}/alpha`, failing(1));
    await compliance.runner.runOrg(org);
    await driver.settle();
    const again = await driver.alertsOf(org, 'compliance.control_failed');
    assert.equal(again.length, 2);
    assert.equal(again.find((a) => a.details.control === 'alpha')?.event_count, 2);
  });
});
