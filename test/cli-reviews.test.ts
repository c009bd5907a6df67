import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyEvidence } from '../src/compliance/index.ts';
import type { User } from '../src/identity/index.ts';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { type CampaignSummary, reviewsInOrg } from '../src/reviews/index.ts';
import { cliStore } from './support/cli.ts';

/** A day two weeks from now, as `--due` takes it. */
const dueDay = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);

/** `vigil reviews …`: campaigns launched, listed, followed, reassigned and closed, in-process. */
describe('vigil CLI: access reviews', () => {
  const store = cliStore({ migrated: true });
  const { withServices, audited, vigil } = store;
  let acme: string;
  let alice: User;
  let mia: User;
  let bob: User;
  let campaign: CampaignSummary;

  const record = (id: string) =>
    withServices((services, core) =>
      reviewsInOrg(core.database, services.reviews).record(acme, id),
    );
  const campaignCount = () =>
    withServices(async (_services, core) =>
      withPlatform(core.database, async (tx) =>
        Number(
          (
            await tx
              .selectFrom('review_campaigns')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
      ),
    );

  before(async () => {
    await store.open();
    ({ acme, alice, mia, bob } = await withServices(async (services, core) => {
      const org = await withPlatform(core.database, (tx) =>
        services.tenancy.createOrganization(tx, { slug: 'acme', name: 'Acme' }, operatorActor),
      );
      const user = (email: string, roleKey: string) =>
        withOrg(core.database, org.id, async (tx) => {
          const created = await services.identity.createUser(
            tx,
            org.id,
            { email, displayName: email.split('@')[0] ?? email },
            operatorActor,
          );
          await services.rbac.assign(
            tx,
            { orgId: org.id, userId: created.id, roleKey, reason: 'test' },
            null,
            operatorActor,
          );
          return created;
        });
      const people = {
        acme: org.id,
        owner: await user('owner@acme.test', 'org-owner'),
        alice: await user('alice@acme.test', 'org-admin'),
        mia: await user('mia@acme.test', 'member'),
        bob: await user('bob@acme.test', 'member'),
      };
      // Alice reports to mia, who reviews her with nothing but the member role.
      await withOrg(core.database, org.id, (tx) =>
        tx
          .updateTable('users')
          .set({ manager_id: people.mia.id })
          .where('id', '=', people.alice.id)
          .execute(),
      );
      return people;
    }));
  });
  after(() => store.close());

  const launch = (...options: string[]) =>
    vigil(['reviews', 'launch', '--org', 'acme', '--name', 'Privileged Q4', ...options]);

  it('refuses bad usage with exit code 2 and launches nothing', async () => {
    const refusals: [string[], RegExp][] = [
      [['--due', dueDay], /reviews launch needs --scope privileged_roles\|/],
      [['--scope', 'everything', '--due', dueDay], /--scope must be one of privileged_roles/],
      [['--scope', 'privileged_roles'], /reviews launch needs --due YYYY-MM-DD/],
      [['--scope', 'privileged_roles', '--due', 'soon'], /--due must be a day/],
      [['--scope', 'privileged_roles', '--due', '2020-01-01'], /--due: a time after now/],
      [
        ['--scope', 'privileged_roles', '--due', dueDay, '--undecided', 'maybe'],
        /--undecided must be one of revoke, keep/,
      ],
      [['--scope', 'privileged_roles', '--due', dueDay, '--days', '3'], /does not take --days/],
    ];
    for (const [options, message] of refusals) {
      const run = await launch(...options);
      assert.equal(run.code, 2, `${options.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    const noOrg = await vigil(['reviews', 'list', '--org', 'nope']);
    assert.equal(noOrg.code, 2);
    assert.match(noOrg.stderr, /--org: there is no organization nope/);
    const badStatus = await vigil(['reviews', 'list', '--org', 'acme', '--status', 'done']);
    assert.equal(badStatus.code, 2);
    assert.match(badStatus.stderr, /--status must be one of open, closed/);
    assert.equal(await campaignCount(), 0);
  });

  it('launches campaigns and lists them newest first, by status', async () => {
    const launched = await launch('--scope', 'privileged_roles', '--due', dueDay, '--json');
    assert.equal(launched.code, 0, launched.stderr);
    campaign = (JSON.parse(launched.stdout) as { campaign: CampaignSummary }).campaign;
    assert.equal(campaign.metrics.items, 2, "the owner's and alice's admin roles");
    assert.equal(campaign.dueAt, `${dueDay}T23:59:59.999Z`, 'due at the end of the day');
    assert.equal(campaign.undecidedPolicy, 'revoke');
    assert.equal(campaign.createdBy, null, 'the operator');

    const human = await vigil([
      'reviews',
      'launch',
      '--org',
      'acme',
      '--scope',
      'all_assignments',
      '--name',
      'All access 2026',
      '--due',
      dueDay,
      '--undecided',
      'revoke',
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      /^launched campaign \S+ "All access 2026" \(all_assignments\) in acme/,
    );
    assert.match(
      human.stdout,
      /4 items, 0 decided \(0 on time\), 0 revoked, 0 unreviewable; undecided items are revoked at close/,
    );
    assert.match(human.stdout, /snapshot SHA-256 [0-9a-f]{64}/);
    const allId = /^launched campaign (\S+)/.exec(human.stdout)?.[1];

    const listed = await vigil(['reviews', 'list', '--org', 'acme', '--json']);
    const ids = (JSON.parse(listed.stdout) as { campaigns: CampaignSummary[] }).campaigns.map(
      (c) => c.id,
    );
    assert.deepEqual(ids, [allId, campaign.id]);
    const table = await vigil(['reviews', 'list', '--org', 'acme', '--status', 'open']);
    assert.match(table.stdout, /^ID\s+NAME\s+SCOPE\s+STATUS\s+DUE\s+ITEMS/);
    assert.match(
      table.stdout,
      new RegExp(`${campaign.id}\\s+Privileged Q4\\s+privileged_roles\\s+open`),
    );
    const none = await vigil(['reviews', 'list', '--org', 'acme', '--status', 'closed']);
    assert.equal(none.stdout, 'no closed review campaigns in acme\n');
  });

  it("shows a campaign's progress per reviewer", async () => {
    const shown = await vigil(['reviews', 'show', campaign.id, '--org', 'acme']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(
      shown.stdout,
      new RegExp(`^campaign ${campaign.id} "Privileged Q4" \\(privileged_roles\\), open`),
    );
    assert.match(shown.stdout, /2 items, 0 decided/);
    assert.match(shown.stdout, /^REVIEWER\s+ASSIGNED\s+DECIDED$/m);
    assert.match(shown.stdout, /^mia@acme\.test\s+1\s+0$/m);
    const json = await vigil(['reviews', 'show', campaign.id, '--org', 'acme', '--json']);
    const { reviewers } = (
      JSON.parse(json.stdout) as { campaign: { reviewers: { reviewer: { id: string } }[] } }
    ).campaign;
    assert.ok(reviewers.some((r) => r.reviewer.id === mia.id));
    const missing = await vigil([
      'reviews',
      'show',
      '018f0000-0000-7000-8000-000000000000',
      '--org',
      'acme',
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such review campaign/);
    const notAnId = await vigil(['reviews', 'show', 'q4', '--org', 'acme']);
    assert.equal(notAnId.code, 2);
    assert.match(notAnId.stderr, /CAMPAIGN-ID: q4 is not an id/);
  });

  it('reassigns an item with a reason, never to its subject', async () => {
    const aliceItem = (await record(campaign.id)).items.find((i) => i.subject.id === alice.id);
    assert.ok(aliceItem);
    const reassign = (...options: string[]) =>
      vigil(['reviews', 'reassign', aliceItem.id, '--org', 'acme', ...options]);
    const done = await reassign('--to', 'bob@acme.test', '--reason', 'mia is on leave');
    assert.equal(done.code, 0, done.stderr);
    assert.equal(
      done.stdout,
      `item ${aliceItem.id} (alice@acme.test: org-admin) is now reviewed by bob@acme.test\n`,
    );
    const after = (await record(campaign.id)).items.find((i) => i.id === aliceItem.id);
    assert.deepEqual([after?.reviewer?.id, after?.reviewerBasis], [bob.id, 'reassigned']);
    const [event] = await audited('review.item.reassigned');
    assert.equal(event?.actorType, 'operator');
    assert.deepEqual([event?.details.from, event?.details.to], [mia.id, bob.id]);

    const self = await reassign('--to', 'alice@acme.test', '--reason', 'x');
    assert.equal(self.code, 1);
    assert.match(self.stderr, /nobody reviews their own access/);
    const nobody = await reassign('--to', 'eve@acme.test', '--reason', 'x');
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /--to: there is no user eve@acme\.test in acme/);
    const noReason = await reassign('--to', 'bob@acme.test', '--reason', '  ');
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /--reason: 1 to 500 characters/);
    assert.equal((await audited('review.item.reassigned')).length, 1);
  });

  it('closes a campaign once, and exports its evidence', async () => {
    const closed = await vigil(['reviews', 'close', campaign.id, '--org', 'acme']);
    assert.equal(closed.code, 0, closed.stderr);
    // Nothing decided, and the privileged scope revokes the undecided.
    assert.match(
      closed.stdout,
      /^closed campaign \S+ "Privileged Q4": 2 items, 0 decided \(0 on time\), 2 revoked, 0 unreviewable\nclean: every item had a reviewer\n$/,
    );
    const again = await vigil(['reviews', 'close', campaign.id, '--org', 'acme']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /The campaign is closed/);
    const [event] = await audited('review.campaign.closed');
    assert.equal(event?.actorType, 'operator');

    const exported = await vigil(['reviews', 'export', campaign.id, '--org', 'acme']);
    assert.equal(exported.code, 0, exported.stderr);
    const report = verifyEvidence(exported.stdout);
    assert.deepEqual(report.failures, []);
    assert.equal(report.campaignId, campaign.id);
  });
});
