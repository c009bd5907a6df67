import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from '../src/platform/index.ts';
import { cliStore } from './support/cli.ts';

/** `vigil alerts …` (docs/alerts.md#command-line): a round, the inbox steps, the rules. */
describe('vigil alerts', () => {
  const store = cliStore({ migrated: true });
  const { owner, vigil } = store;
  let orgId: string;
  let alertId: string;

  before(async () => {
    await store.open();
    assert.equal((await vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme'])).code, 0);
    orgId = String((await owner("SELECT id FROM organizations WHERE slug = 'acme'"))[0]?.id);
  });
  after(() => store.close());

  it('runs rounds: the first starts at the log’s end, the next raises what it finds', async () => {
    const first = await vigil(['alerts', 'run']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /first round/);
    await store.withServices((_services, core) =>
      core.audit.append({
        orgId,
        action: 'mfa.factors.reset',
        actor: { type: 'user', id: newId() },
        target: { type: 'user', id: newId() },
        details: { reason: 'lost phone', removed: [] },
      }),
    );
    let raised = 0;
    for (let i = 0; i < 50 && raised === 0; i++) {
      const round = await vigil(['alerts', 'run', '--json']);
      assert.equal(round.code, 0, round.stderr);
      raised = JSON.parse(round.stdout).raised;
      if (raised === 0) await sleep(50);
    }
    assert.equal(raised, 1);
    const list = await vigil(['alerts', 'list', '--org', 'acme', '--json']);
    const { alerts } = JSON.parse(list.stdout) as { alerts: { id: string; rule: string }[] };
    assert.deepEqual(
      alerts.map((a) => a.rule),
      ['mfa.reset'],
    );
    alertId = alerts[0]?.id ?? '';
    const show = await vigil(['alerts', 'show', alertId, '--org', 'acme']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /mfa\.factors\.reset/);
  });

  it('acknowledges, assigns and resolves as the operator; refuses a step on a resolved alert', async () => {
    const ack = await vigil(['alerts', 'ack', alertId, '--org', 'acme']);
    assert.equal(ack.code, 0, ack.stderr);
    assert.match(ack.stdout, /acknowledged/);
    const nobody = await vigil(['alerts', 'assign', alertId, '--org', 'acme', '--to', newId()]);
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /--to: no active user/);
    const noNote = await vigil(['alerts', 'resolve', alertId, '--org', 'acme']);
    assert.equal(noNote.code, 2);
    const resolved = await vigil([
      ...['alerts', 'resolve', alertId, '--org', 'acme'],
      ...['--note', 'Lost phone, checked with the user.'],
    ]);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.match(resolved.stdout, /resolved/);
    const again = await vigil(['alerts', 'ack', alertId, '--org', 'acme']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /resolved/);
    const steps = await store.audited('alert.');
    assert.deepEqual(
      steps.map((s) => [s.action, s.actorType]),
      [
        ['alert.raised', 'system'],
        ['alert.acknowledged', 'operator'],
        ['alert.resolved', 'operator'],
      ],
    );
  });

  it('lists the rules with the organization’s settings', async () => {
    const rules = await vigil(['alerts', 'rules', '--org', 'acme', '--json']);
    assert.equal(rules.code, 0, rules.stderr);
    const body = JSON.parse(rules.stdout) as {
      rules: { key: string; enabled: boolean }[];
      emailMinSeverity: string;
    };
    assert.equal(body.emailMinSeverity, 'high');
    assert.ok(body.rules.some((r) => r.key === 'admin.mass_action' && r.enabled));
    const human = await vigil(['alerts', 'rules', '--org', 'acme']);
    assert.match(
      human.stdout,
      /^signin\.failures\.account +event +yes +medium +failures=10 windowMinutes=10$/m,
    );
  });
});
