import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  isUuid,
  newId,
  type Tx,
  withOrg,
} from '../platform/index.ts';
import { applyDecisions, type Revokers } from './close.ts';
import { decideItems } from './decide.ts';
import { reviewErrors } from './errors.ts';
import {
  chooseReviewer,
  type DecisionInput,
  defaultUndecidedPolicy,
  type LaunchInput,
  snapshotSha256,
} from './model.ts';
import {
  campaignProgress,
  filteredItems,
  findCampaign,
  type ItemFilter,
  listCampaigns,
  type QueueFilter,
  reviewerQueue,
} from './queries.store.ts';
import {
  type CampaignRecord,
  itemRecords,
  type ReviewItemRecord,
  readRecord,
  summaryOf,
} from './record.ts';
import { type SnapshotSources, takeSnapshot } from './snapshot.ts';
import * as store from './store.ts';

export interface ReviewDeps {
  clock: Clock;
  audit: AuditWriter;
  sources: SnapshotSources;
  revokers: Revokers;
}

const scopeKinds = ['privileged_roles', 'all_assignments', 'client_users', 'api_keys'] as const;

function checkLaunch(input: LaunchInput, now: Date) {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length === 0 || name.length > 200)
    throw reviewErrors.campaignInvalid({ field: 'name', problem: '1 to 200 characters' });
  if (!scopeKinds.includes(input.scope?.kind))
    throw reviewErrors.campaignInvalid({
      field: 'scope',
      problem: `one of ${scopeKinds.join(', ')}`,
    });
  // The users of one OAuth client name it (the snapshot checks that it is the organization's);
  // no other scope has a client.
  const clientId = input.scope.clientId ?? null;
  if (input.scope.kind === 'client_users' && (typeof clientId !== 'string' || clientId === ''))
    throw reviewErrors.campaignInvalid({
      field: 'scope.clientId',
      problem: 'the id of an OAuth client of the organization',
    });
  if (input.scope.kind !== 'client_users' && clientId !== null)
    throw reviewErrors.campaignInvalid({
      field: 'scope.clientId',
      problem: 'only a client_users campaign names a client',
    });
  if (!(input.dueAt instanceof Date) || Number.isNaN(input.dueAt.getTime()) || input.dueAt <= now)
    throw reviewErrors.campaignInvalid({ field: 'dueAt', problem: 'a time after now' });
  if (input.undecided !== undefined && input.undecided !== 'revoke' && input.undecided !== 'keep')
    throw reviewErrors.campaignInvalid({ field: 'undecided', problem: 'revoke or keep' });
  return name;
}

/**
 * Access review campaigns (docs/reviews.md): the snapshot of a scope at launch, hashed and
 * audited; reviewers who are never the subject; decisions by the assigned reviewer only; and a
 * close that revokes what was not approved through the one assignment path.
 */
export function createReviews(deps: ReviewDeps) {
  const { audit, clock } = deps;

  async function campaignOf(tx: Tx, orgId: string, id: string) {
    const campaign = isUuid(id) ? await store.lockCampaign(tx, orgId, id) : undefined;
    if (!campaign) throw reviewErrors.campaignNotFound();
    return campaign;
  }

  /** The campaign for a read: not held, so reading never waits for a decision or a close. */
  async function campaignToRead(tx: Tx, orgId: string, id: string) {
    const campaign = isUuid(id) ? await findCampaign(tx, orgId, id) : undefined;
    if (!campaign) throw reviewErrors.campaignNotFound();
    return campaign;
  }

  return {
    /**
     * Launches a campaign: its items are the scope as of now, read and written in one
     * transaction; the SHA-256 of their canonical JSON is stored and audited with the launch.
     */
    async launch(tx: Tx, orgId: string, input: LaunchInput, actor: AuditActor) {
      const now = clock.now();
      const name = checkLaunch(input, now);
      const planned = await takeSnapshot(tx, deps.sources, orgId, input.scope, now);
      const sha256 = snapshotSha256(planned.map((p) => p.item));
      const id = newId(now.getTime());
      const campaign = {
        id,
        org_id: orgId,
        name,
        scope_kind: input.scope.kind,
        scope_client_id:
          input.scope.kind === 'client_users' ? (input.scope.clientId ?? null) : null,
        created_by: actor.type === 'user' ? (actor.id ?? null) : null,
        launched_at: now,
        due_at: input.dueAt,
        undecided_policy: input.undecided ?? defaultUndecidedPolicy(input.scope.kind),
        snapshot_sha256: sha256,
        status: 'open' as const,
        closed_at: null,
        closed_by: null,
        schedule_key: input.scheduleKey ?? null,
        reminded_at: null,
        escalated_at: null,
      };
      await store.insertCampaign(tx, campaign);
      const items = planned.map(({ item, candidates }, position) => {
        const reviewer = chooseReviewer(item.subjectUserId, candidates);
        return {
          id: newId(now.getTime()),
          campaign_id: id,
          org_id: orgId,
          position,
          subject_user_id: item.subjectUserId,
          subject_email: item.subjectEmail,
          subject_name: item.subjectName,
          role_key: item.roleKey,
          api_key_id: item.apiKeyId,
          api_key_name: item.apiKeyName,
          client_id: item.clientId,
          permissions: item.permissions,
          held_since: item.heldSince,
          granted_by: item.grantedBy,
          source: item.source,
          last_sign_in_at: item.lastSignInAt,
          mfa_enrolled: item.mfaEnrolled,
          flags: item.flags,
          privileged: item.privileged,
          reviewer_id: reviewer?.reviewerId ?? null,
          reviewer_basis: reviewer?.basis ?? null,
        };
      });
      await store.insertItems(tx, items);
      const summary = summaryOf(
        campaign,
        items.map((i) => ({ ...blankReview, ...i })),
      );
      await audit(tx, {
        orgId,
        action: 'review.campaign.launched',
        actor,
        target: { type: 'review_campaign', id },
        details: {
          name,
          scope: summary.scope,
          dueAt: input.dueAt.toISOString(),
          undecided: campaign.undecided_policy,
          items: items.length,
          unreviewable: summary.metrics.unreviewable,
          snapshotSha256: sha256,
        },
      });
      return summary;
    },

    /** Gives an open campaign's item another reviewer, with a reason; never its subject. */
    async reassign(
      tx: Tx,
      orgId: string,
      itemId: string,
      reviewerId: string,
      reason: string,
      actor: AuditActor,
    ): Promise<ReviewItemRecord> {
      const why = typeof reason === 'string' ? reason.trim() : '';
      if (why.length === 0 || why.length > 500)
        throw reviewErrors.campaignInvalid({ field: 'reason', problem: '1 to 500 characters' });
      if (!isUuid(itemId)) throw reviewErrors.itemNotFound({ itemId: String(itemId) });
      if (!isUuid(reviewerId)) throw reviewErrors.reviewerInvalid({ problem: 'not a user id' });
      const [item] = await store.itemsByIds(tx, orgId, [itemId]);
      if (!item) throw reviewErrors.itemNotFound({ itemId });
      const campaign = await campaignOf(tx, orgId, item.campaign_id);
      if (campaign.status !== 'open') throw reviewErrors.campaignClosed();
      if (reviewerId === item.subject_user_id) throw reviewErrors.selfReview({ itemId });
      if (!(await store.activeUserIds(tx, orgId)).has(reviewerId))
        throw reviewErrors.reviewerInvalid({ problem: 'not an active user of the organization' });
      // As at launch (docs/reviews.md#reviewers): an item goes only to someone who can act on it.
      const held = (await deps.sources.holdersIn(tx, orgId)).get(reviewerId) ?? [];
      if (
        !held.some(
          (r) =>
            r.permissions.includes('reviews.decide') || r.permissions.includes('reviews.manage'),
        )
      )
        throw reviewErrors.reviewerInvalid({
          problem: 'holds neither reviews.decide nor reviews.manage',
        });
      await store.updateItem(tx, itemId, {
        reviewer_id: reviewerId,
        reviewer_basis: 'reassigned',
      });
      await audit(tx, {
        orgId,
        action: 'review.item.reassigned',
        actor,
        target: { type: 'review_item', id: itemId },
        details: { campaignId: campaign.id, from: item.reviewer_id, to: reviewerId, reason: why },
      });
      const [record] = await itemRecords(tx, [
        { ...item, reviewer_id: reviewerId, reviewer_basis: 'reassigned' },
      ]);
      return record as ReviewItemRecord;
    },

    /** One decision on each of these items, by their reviewer (see decideItems). */
    decide: (
      tx: Tx,
      orgId: string,
      itemIds: readonly string[],
      input: DecisionInput,
      actor: AuditActor,
    ) => decideItems(tx, audit, orgId, itemIds, input, actor, clock.now()),

    /**
     * Closes a campaign: decisions applied, undecided items revoked or kept per its policy, each
     * revocation's time recorded. `clean` is false when some item had no possible reviewer.
     */
    async close(tx: Tx, orgId: string, campaignId: string, actor: AuditActor) {
      const campaign = await campaignOf(tx, orgId, campaignId);
      if (campaign.status !== 'open') throw reviewErrors.campaignClosed();
      const now = clock.now();
      const items = await store.itemsOf(tx, campaign.id);
      const closedItems = await applyDecisions(tx, deps, campaign, items, actor, now);
      const closedBy = actor.type === 'user' ? (actor.id ?? null) : null;
      await store.closeCampaign(tx, campaign.id, now, closedBy);
      const summary = summaryOf(
        { ...campaign, status: 'closed', closed_at: now, closed_by: closedBy },
        closedItems,
      );
      const clean = summary.metrics.unreviewable === 0;
      await audit(tx, {
        orgId,
        action: 'review.campaign.closed',
        actor,
        target: { type: 'review_campaign', id: campaign.id },
        details: { ...summary.metrics, clean, undecided: campaign.undecided_policy },
      });
      return { ...summary, clean };
    },

    /** A campaign and all its items, with the names of reviewers and deciders. */
    record: async (tx: Tx, orgId: string, campaignId: string): Promise<CampaignRecord> =>
      readRecord(tx, await campaignToRead(tx, orgId, campaignId)),

    /** The organization's campaigns with their metrics, newest first. */
    list: (tx: Tx, orgId: string, status?: 'open' | 'closed') => listCampaigns(tx, orgId, status),

    /** A campaign's summary and, for each reviewer, the items assigned and decided. */
    progress: async (tx: Tx, orgId: string, campaignId: string) =>
      campaignProgress(tx, await campaignToRead(tx, orgId, campaignId)),

    /** A campaign's items in snapshot order, narrowed by reviewer, decision, flag, privilege. */
    items: async (tx: Tx, orgId: string, campaignId: string, filter: ItemFilter = {}) =>
      filteredItems(tx, (await campaignToRead(tx, orgId, campaignId)).id, filter),

    /** The undecided items of open campaigns assigned to a reviewer, oldest campaign first. */
    queue: (tx: Tx, orgId: string, reviewerId: string, filter: QueueFilter = {}) =>
      reviewerQueue(tx, orgId, reviewerId, filter),
  };
}

/**
 * The operator's use cases (the command line, docs/adr/0011-transaction-owner.md): each call in
 * a transaction of its own in the organization. The admin API calls the `tx`-taking methods in
 * its request's transaction instead.
 */
export function reviewsInOrg(database: Database, reviews: Reviews) {
  const inOrg = <T>(orgId: string, use: (tx: Tx) => Promise<T>) => withOrg(database, orgId, use);
  return {
    launch: (orgId: string, input: LaunchInput, actor: AuditActor) =>
      inOrg(orgId, (tx) => reviews.launch(tx, orgId, input, actor)),
    list: (orgId: string, status?: 'open' | 'closed') =>
      inOrg(orgId, (tx) => reviews.list(tx, orgId, status)),
    progress: (orgId: string, campaignId: string) =>
      inOrg(orgId, (tx) => reviews.progress(tx, orgId, campaignId)),
    close: (orgId: string, campaignId: string, actor: AuditActor) =>
      inOrg(orgId, (tx) => reviews.close(tx, orgId, campaignId, actor)),
    reassign: (
      orgId: string,
      itemId: string,
      reviewerId: string,
      reason: string,
      actor: AuditActor,
    ) => inOrg(orgId, (tx) => reviews.reassign(tx, orgId, itemId, reviewerId, reason, actor)),
    record: (orgId: string, campaignId: string) =>
      inOrg(orgId, (tx) => reviews.record(tx, orgId, campaignId)),
  };
}

/** The review columns of an item just launched (nothing decided yet). */
const blankReview = {
  decision: null,
  dropped_role_keys: null,
  justification: null,
  decided_by: null,
  decided_at: null,
  outcome: null,
  revoked_at: null,
};

export type Reviews = ReturnType<typeof createReviews>;
