import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyEvidence } from '../src/compliance/index.ts';
import type { User } from '../src/identity/index.ts';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;

const json = <T = Record<string, unknown>>(res: { text: string }) => JSON.parse(res.text) as T;

interface Campaign {
  id: string;
  name: string;
  status: 'open' | 'closed';
  createdBy: string | null;
  undecidedPolicy: string;
  dueAt: string;
  metrics: {
    items: number;
    decided: number;
    onTime: number;
    revoked: number;
    unreviewable: number;
  };
  clean?: boolean;
}

interface Item {
  id: string;
  subject: { id: string; email: string };
  roleKey: string | null;
  flags: string[];
  privileged: boolean;
  reviewer: { id: string; email: string } | null;
  reviewerBasis: string | null;
  decision: string | null;
  justification: string | null;
  decidedBy: { id: string } | null;
  outcome: string | null;
  campaign?: { id: string; name: string; dueAt: string };
}

const due = () => new Date(Date.now() + 14 * 86_400_000).toISOString();

/**
 * Access reviews through the admin API (docs/reviews.md#admin-api): a campaign launched, followed,
 * worked by reviewers who hold nothing but reviews.decide (a plain member, a custom role), decided
 * in bulk, reassigned, closed, and its evidence downloaded and verified.
 */
describe('admin API: access reviews', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let acme: string;
  let owner: User;
  let mia: User;
  let carl: User;
  let alice: User;
  let bob: User;
  let adminUser: User;
  const tokens: Record<string, string> = {};
  let campaign: Campaign;
  let items: Item[];

  const itemOf = (subject: User) => {
    const item = items.find((i) => i.subject.id === subject.id);
    assert.ok(item, `an item for ${subject.email}`);
    return item;
  };
  const count = (table: 'review_campaigns' | 'audit_events', action?: string) =>
    withPlatform(world.core.database, async (tx) => {
      let query = tx.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'));
      if (action) query = query.where('action' as never, '=', action as never);
      return Number((await query.executeTakeFirstOrThrow()).n);
    });
  const itemsNow = async () =>
    json<{ items: Item[] }>(
      await call('GET', `/orgs/${acme}/review-campaigns/${campaign.id}/items`, tokens.owner ?? ''),
    ).items;

  before(async () => {
    let userWithRole: Api['userWithRole'];
    let tokenFor: Api['tokenFor'];
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld({ totp: false }));
    acme = world.orgId;
    owner = await userWithRole(acme, 'owner@acme.test', 'org-owner');
    adminUser = await userWithRole(acme, 'admin@acme.test', 'org-admin');
    alice = await userWithRole(acme, 'alice@acme.test', 'org-admin');
    bob = await userWithRole(acme, 'bob@acme.test', 'org-admin');
    // Reviewers who administer nothing: a plain member, and a custom role of reviews.decide only.
    mia = await userWithRole(acme, 'mia@acme.test', 'member');
    await withOrg(world.core.database, acme, (tx) =>
      world.auth.rbac.createRole(
        tx,
        acme,
        {
          key: 'attester',
          name: 'Attester',
          description: 'Decides the access review items assigned to them.',
          purpose: 'Team leads attest their reports’ access.',
          permissions: ['reviews.decide'],
          ownerUserId: owner.id,
        },
        null,
        operatorActor,
      ),
    );
    carl = await userWithRole(acme, 'carl@acme.test', 'attester');
    const auditor = await userWithRole(acme, 'auditor@acme.test', 'org-auditor');
    // Alice reports to mia, bob to carl (the directory's manager); bob has not signed in for
    // long (dormant).
    await withOrg(world.core.database, acme, async (tx) => {
      await tx
        .updateTable('users')
        .set({ manager_id: mia.id })
        .where('id', '=', alice.id)
        .execute();
      await tx
        .updateTable('users')
        .set({ manager_id: carl.id, created_at: new Date(Date.now() - 200 * 86_400_000) })
        .where('id', '=', bob.id)
        .execute();
    });
    for (const [name, user] of Object.entries({ owner, mia, carl, alice, auditor }))
      tokens[name] = await tokenFor(user);
  });
  after(() => world.close());

  it('refuses bad launches with a specific error and writes nothing', async () => {
    const path = `/orgs/${acme}/review-campaigns`;
    const before = await count('review_campaigns');
    const good = { name: 'Q4', scope: { kind: 'privileged_roles' }, dueAt: due() };
    const refusals: [object, string][] = [
      [{ ...good, scope: { kind: 'everything' } }, 'api.invalid_body'],
      [{ ...good, dueAt: '2020-01-01T00:00:00Z' }, 'review.invalid'],
      [{ ...good, dueAt: 'next week' }, 'api.invalid_body'],
      [{ ...good, name: '   ' }, 'review.invalid'],
      [{ ...good, undecided: 'maybe' }, 'api.invalid_body'],
      [{ ...good, extra: true }, 'api.invalid_body'],
    ];
    for (const [body, code] of refusals) {
      const res = await call('POST', path, tokens.owner ?? '', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(json(res).code, code, JSON.stringify(body));
    }
    assert.equal(await count('review_campaigns'), before);
    assert.equal(await count('audit_events', 'review.campaign.launched'), 0);
  });

  it('lets only holders of reviews.manage launch', async () => {
    const body = { name: 'Q4', scope: { kind: 'privileged_roles' }, dueAt: due() };
    for (const who of ['mia', 'carl', 'auditor']) {
      const res = await call('POST', `/orgs/${acme}/review-campaigns`, tokens[who] ?? '', body);
      assert.equal(res.status, 403, who);
      assert.equal(json(res).code, 'rbac.forbidden');
    }
  });

  it('launches a campaign and lists it newest first, by status', async () => {
    const launched = await call('POST', `/orgs/${acme}/review-campaigns`, tokens.owner ?? '', {
      name: 'Privileged access Q4',
      scope: { kind: 'privileged_roles' },
      dueAt: due(),
      undecided: 'keep',
    });
    assert.equal(launched.status, 201, launched.text);
    campaign = json<Campaign>(launched);
    assert.equal(campaign.status, 'open');
    assert.equal(campaign.createdBy, owner.id);
    assert.equal(campaign.undecidedPolicy, 'keep');
    // owner, admin, alice and bob hold privileged roles; mia, carl and the auditor do not.
    assert.equal(campaign.metrics.items, 4);
    // A second, empty campaign: API keys (there are none yet).
    const keys = json<Campaign>(
      await call('POST', `/orgs/${acme}/review-campaigns`, tokens.owner ?? '', {
        name: 'API keys Q4',
        scope: { kind: 'api_keys' },
        dueAt: due(),
      }),
    );
    const list = async (query = '') =>
      json<{ items: Campaign[] }>(
        await call('GET', `/orgs/${acme}/review-campaigns${query}`, tokens.owner ?? ''),
      ).items.map((c) => c.id);
    assert.deepEqual(await list(), [keys.id, campaign.id]);
    const closed = await call(
      'POST',
      `/orgs/${acme}/review-campaigns/${keys.id}/close`,
      tokens.owner ?? '',
    );
    assert.equal(closed.status, 200, closed.text);
    assert.equal(json<Campaign>(closed).clean, true);
    assert.deepEqual(await list('?status=open'), [campaign.id]);
    assert.deepEqual(await list('?status=closed'), [keys.id]);
    assert.equal(
      (await call('GET', `/orgs/${acme}/review-campaigns?status=x`, tokens.owner ?? '')).status,
      400,
    );
  });

  it('shows progress per reviewer and filters the items', async () => {
    const res = await call(
      'GET',
      `/orgs/${acme}/review-campaigns/${campaign.id}`,
      tokens.owner ?? '',
    );
    assert.equal(res.status, 200, res.text);
    const progress = json<
      Campaign & { reviewers: { reviewer: { email: string }; assigned: number; decided: number }[] }
    >(res);
    assert.equal(progress.metrics.items, 4);
    const share = Object.fromEntries(
      progress.reviewers.map((r) => [r.reviewer.email, [r.assigned, r.decided]]),
    );
    assert.deepEqual(share['mia@acme.test'], [1, 0]);
    assert.deepEqual(share['carl@acme.test'], [1, 0]);
    assert.equal(
      progress.reviewers.reduce((n, r) => n + r.assigned, 0),
      4,
      'every item has a reviewer',
    );

    items = await itemsNow();
    assert.equal(items.length, 4);
    assert.deepEqual(
      [itemOf(alice).reviewer?.id, itemOf(alice).reviewerBasis],
      [mia.id, 'manager'],
    );
    assert.deepEqual([itemOf(bob).reviewer?.id, itemOf(bob).reviewerBasis], [carl.id, 'manager']);
    const filtered = async (query: string) =>
      json<{ items: Item[] }>(
        await call(
          'GET',
          `/orgs/${acme}/review-campaigns/${campaign.id}/items?${query}`,
          tokens.owner ?? '',
        ),
      ).items.map((i) => i.subject.email);
    assert.deepEqual(await filtered(`reviewerId=${mia.id}`), ['alice@acme.test']);
    assert.deepEqual(await filtered('flag=dormant'), ['bob@acme.test']);
    assert.equal((await filtered('decision=undecided')).length, 4);
    assert.deepEqual(await filtered('decision=keep'), []);
    assert.equal((await filtered('privileged=true')).length, 4);
    assert.deepEqual(await filtered('privileged=false'), []);
    for (const query of ['flag=sleepy', 'reviewerId=nobody', 'privileged=yes', 'decision=maybe']) {
      const bad = await call(
        'GET',
        `/orgs/${acme}/review-campaigns/${campaign.id}/items?${query}`,
        tokens.owner ?? '',
      );
      assert.equal(bad.status, 400, query);
      assert.equal(json(bad).code, 'api.invalid_query');
    }
    const missing = await call(
      'GET',
      `/orgs/${acme}/review-campaigns/018f0000-0000-7000-8000-000000000000`,
      tokens.owner ?? '',
    );
    assert.equal(missing.status, 404);
    assert.equal(json(missing).code, 'review.campaign_not_found');
  });

  it("gives a plain member and a custom role's holder their own queue", async () => {
    const queue = async (who: string, query = '') => {
      const res = await call('GET', `/orgs/${acme}/review-queue${query}`, tokens[who] ?? '');
      assert.equal(res.status, 200, `${who}: ${res.text}`);
      return json<{ items: Item[] }>(res).items;
    };
    const [miaItem, ...miaRest] = await queue('mia');
    assert.equal(miaRest.length, 0);
    assert.equal(miaItem?.id, itemOf(alice).id);
    assert.deepEqual(miaItem?.campaign, {
      id: campaign.id,
      name: 'Privileged access Q4',
      dueAt: campaign.dueAt,
    });
    assert.deepEqual(
      (await queue('carl')).map((i) => i.id),
      [itemOf(bob).id],
    );
    assert.deepEqual(await queue('carl', '?flag=past_end_date'), []);
    assert.deepEqual(await queue('carl', '?campaignId=018f0000-0000-7000-8000-000000000000'), []);
    // The auditor decides too (reviews.decide) but has nothing assigned.
    assert.deepEqual(await queue('auditor'), []);
  });

  it('refuses a bad decision with a specific error and changes nothing', async () => {
    const path = `/orgs/${acme}/review-decisions`;
    const aliceItem = itemOf(alice).id;
    const many = Array.from({ length: 501 }, () => aliceItem);
    const refusals: [object, number, string][] = [
      [{ itemIds: many, decision: 'revoke' }, 400, 'api.invalid_body'],
      [{ itemIds: [], decision: 'revoke' }, 400, 'api.invalid_body'],
      [{ itemIds: ['not-a-uuid'], decision: 'revoke' }, 400, 'api.invalid_body'],
      [{ itemIds: [aliceItem], decision: 'forget' }, 400, 'api.invalid_body'],
      // Privileged access is kept only with a justification.
      [{ itemIds: [aliceItem], decision: 'keep' }, 400, 'review.justification_required'],
      [
        { itemIds: [aliceItem], decision: 'keep', justification: '  ' },
        400,
        'review.justification_required',
      ],
      [
        { itemIds: ['018f0000-0000-7000-8000-000000000000'], decision: 'revoke' },
        404,
        'review.item_not_found',
      ],
      [{ itemIds: [aliceItem], decision: 'reduce' }, 400, 'review.reduce_invalid'],
    ];
    for (const [body, status, code] of refusals) {
      const res = await call('POST', path, tokens.mia ?? '', body);
      assert.equal(res.status, status, `${code}: ${res.text}`);
      assert.equal(json(res).code, code);
    }
    // Someone else's item: only its reviewer decides.
    const other = await call('POST', path, tokens.mia ?? '', {
      itemIds: [itemOf(bob).id],
      decision: 'revoke',
    });
    assert.equal(other.status, 403);
    assert.equal(json(other).code, 'review.not_reviewer');
    assert.ok((await itemsNow()).every((i) => i.decision === null));
    assert.equal(await count('audit_events', 'review.item.decided'), 0);
  });

  it('never takes a decision from an API key, even one holding reviews.decide', async () => {
    const { token } = await withOrg(world.core.database, acme, (tx) =>
      world.auth.apiKeys.create(
        tx,
        acme,
        { name: 'review bot', permissions: ['reviews.decide'] },
        { userId: mia.id, orgId: acme },
        { type: 'user', id: mia.id },
      ),
    );
    const decided = await call('POST', `/orgs/${acme}/review-decisions`, token, {
      itemIds: [itemOf(alice).id],
      decision: 'revoke',
    });
    assert.equal(decided.status, 403, decided.text);
    assert.equal(json(decided).code, 'review.not_reviewer');
    const queue = await call('GET', `/orgs/${acme}/review-queue`, token);
    assert.equal(queue.status, 403);
    assert.equal(json(queue).code, 'api.user_required');
    assert.ok((await itemsNow()).every((i) => i.decision === null));
  });

  it('refuses self-review, single or bulk, and changes nothing', async () => {
    const ownerItem = itemOf(owner).id;
    const adminItem = itemOf(adminUser).id;
    // The owner reviews the admin's item now; their own stays someone else's.
    const reassigned = await call(
      'POST',
      `/orgs/${acme}/review-items/${adminItem}/reassign`,
      tokens.owner ?? '',
      {
        reviewerId: owner.id,
        reason: 'covers for the admins',
      },
    );
    assert.equal(reassigned.status, 200, reassigned.text);
    assert.deepEqual(
      [json<Item>(reassigned).reviewer?.id, json<Item>(reassigned).reviewerBasis],
      [owner.id, 'reassigned'],
    );
    const decide = (itemIds: string[]) =>
      call('POST', `/orgs/${acme}/review-decisions`, tokens.owner ?? '', {
        itemIds,
        decision: 'keep',
        justification: 'still needed',
      });
    for (const itemIds of [[ownerItem], [adminItem, ownerItem]]) {
      const res = await decide(itemIds);
      assert.equal(res.status, 403, res.text);
      assert.equal(json(res).code, 'review.self_review');
    }
    assert.ok(
      (await itemsNow()).every((i) => i.decision === null),
      'nothing decided',
    );
    // Nor is anyone assigned their own access.
    const toSubject = await call(
      'POST',
      `/orgs/${acme}/review-items/${ownerItem}/reassign`,
      tokens.owner ?? '',
      {
        reviewerId: owner.id,
        reason: 'mine',
      },
    );
    assert.equal(toSubject.status, 403);
    assert.equal(json(toSubject).code, 'review.self_review');
  });

  it('reassigns with a reason, decides in bulk, and refuses a bad reassignment', async () => {
    const adminItem = itemOf(adminUser).id;
    const path = `/orgs/${acme}/review-items/${adminItem}/reassign`;
    for (const [body, code] of [
      [{ reviewerId: carl.id }, 'api.invalid_body'],
      [{ reviewerId: carl.id, reason: '' }, 'review.invalid'],
      [{ reviewerId: 'carl', reason: 'x' }, 'api.invalid_body'],
      [
        { reviewerId: '018f0000-0000-7000-8000-000000000000', reason: 'x' },
        'review.reviewer_invalid',
      ],
    ] as const) {
      const res = await call('POST', path, tokens.owner ?? '', body);
      assert.equal(res.status, 400, res.text);
      assert.equal(json(res).code, code);
    }
    const res = await call('POST', path, tokens.owner ?? '', {
      reviewerId: carl.id,
      reason: 'knows the admin team',
    });
    assert.equal(res.status, 200, res.text);
    // Carl decides both of his items at once.
    const bulk = await call('POST', `/orgs/${acme}/review-decisions`, tokens.carl ?? '', {
      itemIds: [itemOf(bob).id, adminItem],
      decision: 'keep',
      justification: 'on the payments on-call rota',
    });
    assert.equal(bulk.status, 200, bulk.text);
    assert.deepEqual(json(bulk), { decided: 2 });
    // Mia takes alice's admin role away.
    const revoked = await call('POST', `/orgs/${acme}/review-decisions`, tokens.mia ?? '', {
      itemIds: [itemOf(alice).id],
      decision: 'revoke',
    });
    assert.deepEqual(json(revoked), { decided: 1 });
    items = await itemsNow();
    assert.deepEqual(
      [itemOf(bob).decision, itemOf(bob).decidedBy?.id, itemOf(bob).justification],
      ['keep', carl.id, 'on the payments on-call rota'],
    );
    assert.equal(itemOf(adminUser).decision, 'keep');
    assert.equal(itemOf(alice).decision, 'revoke');
    // Decided items leave the queue.
    const queue = json<{ items: Item[] }>(
      await call('GET', `/orgs/${acme}/review-queue`, tokens.carl ?? ''),
    ).items;
    assert.deepEqual(queue, []);
  });

  it('keeps the evidence of an open campaign, and lets only reviews.manage close', async () => {
    const evidence = await call(
      'GET',
      `/orgs/${acme}/review-campaigns/${campaign.id}/evidence`,
      tokens.auditor ?? '',
    );
    assert.equal(evidence.status, 409);
    assert.equal(json(evidence).code, 'review.evidence_campaign_open');
    for (const who of ['auditor', 'mia']) {
      const res = await call(
        'POST',
        `/orgs/${acme}/review-campaigns/${campaign.id}/close`,
        tokens[who] ?? '',
      );
      assert.equal(res.status, 403, who);
      assert.equal(json(res).code, 'rbac.forbidden');
    }
  });

  it('closes: the revoked role is gone, the metrics counted; the evidence verifies', async () => {
    const res = await call(
      'POST',
      `/orgs/${acme}/review-campaigns/${campaign.id}/close`,
      tokens.owner ?? '',
      {},
    );
    assert.equal(res.status, 200, res.text);
    const closed = json<Campaign>(res);
    assert.equal(closed.status, 'closed');
    assert.equal(closed.clean, true);
    assert.deepEqual(closed.metrics, {
      items: 4,
      decided: 3,
      onTime: 3,
      revoked: 1,
      unreviewable: 0,
    });
    const roles = await withOrg(world.core.database, acme, (tx) =>
      world.auth.identity.roleKeysOf(tx, alice.id),
    );
    assert.deepEqual(roles, []);
    items = await itemsNow();
    assert.equal(itemOf(alice).outcome, 'revoked');
    assert.deepEqual(
      [itemOf(owner).decision, itemOf(owner).outcome],
      [null, 'kept'],
      "the undecided item kept by the campaign's policy",
    );
    const again = await call(
      'POST',
      `/orgs/${acme}/review-campaigns/${campaign.id}/close`,
      tokens.owner ?? '',
    );
    assert.equal(again.status, 409);
    assert.equal(json(again).code, 'review.campaign_closed');

    const evidence = await call(
      'GET',
      `/orgs/${acme}/review-campaigns/${campaign.id}/evidence`,
      tokens.auditor ?? '',
    );
    assert.equal(evidence.status, 200, evidence.text);
    assert.match(String(evidence.headers['content-type']), /^application\/json/);
    assert.equal(
      evidence.headers['content-disposition'],
      `attachment; filename="review-${campaign.id}.evidence.json"`,
    );
    const report = verifyEvidence(evidence.text);
    assert.deepEqual(report.failures, []);
    assert.equal(report.ok, true);
    assert.equal(report.campaignId, campaign.id);
    // Alice's revocation turned into a keep in the CSV: the bundle no longer verifies.
    const tampered = evidence.text.replace(',revoke,', ',keep,');
    assert.ok(tampered !== evidence.text, 'the CSV holds the revocation');
    assert.equal(verifyEvidence(tampered).ok, false);
  });
});
