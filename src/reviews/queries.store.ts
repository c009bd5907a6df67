/**
 * What the admin API and the console read of campaigns: lists, progress, filtered items and a
 * reviewer's queue. None of it locks: a read never waits for a decision or a close, nor holds
 * one up (decisions hold their campaigns FOR SHARE, a close FOR UPDATE; store.ts).
 */
import { sql } from 'kysely';
import type { ReviewDecision, Tx } from '../platform/index.ts';
import type { ReviewFlag } from './model.ts';
import {
  type CampaignMetrics,
  type CampaignSummary,
  itemRecords,
  type NamedUser,
  type ReviewItemRecord,
  summaryOf,
} from './record.ts';
import type { CampaignRow, ItemRow } from './store.ts';

/** Items of a campaign as a manager filters them; absent criteria keep every item. */
export interface ItemFilter {
  reviewerId?: string;
  /** `undecided`: no decision yet. */
  decision?: ReviewDecision | 'undecided';
  flag?: ReviewFlag;
  privileged?: boolean;
}

/** A reviewer's queue, narrowed to one campaign, a flag, or (not) privileged items. */
export interface QueueFilter {
  campaignId?: string;
  flag?: ReviewFlag;
  privileged?: boolean;
}

/** A reviewer's progress in a campaign: the items assigned to them, and how many they decided. */
export interface ReviewerProgress {
  reviewer: NamedUser;
  assigned: number;
  decided: number;
}

/** An item waiting in a reviewer's queue, with the campaign it belongs to. */
export type QueuedItem = ReviewItemRecord & {
  campaign: { id: string; name: string; dueAt: Date };
};

/** The campaign as it stands, not held: what reads answer from. */
export function findCampaign(tx: Tx, orgId: string, id: string): Promise<CampaignRow | undefined> {
  return tx
    .selectFrom('review_campaigns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The metrics of each campaign (docs/reviews.md#metrics), counted by the database. */
async function countedMetrics(
  tx: Tx,
  campaignIds: readonly string[],
): Promise<Map<string, CampaignMetrics>> {
  if (campaignIds.length === 0) return new Map();
  const rows = await tx
    .selectFrom('review_items as i')
    .innerJoin('review_campaigns as c', 'c.id', 'i.campaign_id')
    .select([
      'i.campaign_id',
      sql<string>`count(*)`.as('items'),
      sql<string>`count(i.decided_at)`.as('decided'),
      sql<string>`count(*) FILTER (WHERE i.decided_at <= c.due_at)`.as('on_time'),
      sql<string>`count(*) FILTER (WHERE i.outcome IN ('revoked', 'reduced'))`.as('revoked'),
      sql<string>`count(*) FILTER (WHERE i.reviewer_id IS NULL)`.as('unreviewable'),
    ])
    .where('i.campaign_id', '=', sql<string>`ANY(${campaignIds}::uuid[])`)
    .groupBy('i.campaign_id')
    .execute();
  return new Map(
    rows.map((r) => [
      r.campaign_id,
      {
        items: Number(r.items),
        decided: Number(r.decided),
        onTime: Number(r.on_time),
        revoked: Number(r.revoked),
        unreviewable: Number(r.unreviewable),
      },
    ]),
  );
}

const noItems: CampaignMetrics = { items: 0, decided: 0, onTime: 0, revoked: 0, unreviewable: 0 };

/** Campaigns as summaries, their metrics counted in one query. */
async function summaries(tx: Tx, campaigns: readonly CampaignRow[]): Promise<CampaignSummary[]> {
  const metrics = await countedMetrics(
    tx,
    campaigns.map((c) => c.id),
  );
  return campaigns.map((c) => ({ ...summaryOf(c, []), metrics: metrics.get(c.id) ?? noItems }));
}

/** The organization's campaigns, newest first, open or closed ones only when `status` says. */
export async function listCampaigns(
  tx: Tx,
  orgId: string,
  status?: 'open' | 'closed',
): Promise<CampaignSummary[]> {
  let query = tx
    .selectFrom('review_campaigns')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('launched_at', 'desc')
    .orderBy('id', 'desc');
  if (status) query = query.where('status', '=', status);
  return summaries(tx, await query.execute());
}

/** A campaign's summary and each reviewer's share of it, by email. */
export async function campaignProgress(
  tx: Tx,
  campaign: CampaignRow,
): Promise<CampaignSummary & { reviewers: ReviewerProgress[] }> {
  const [summary] = await summaries(tx, [campaign]);
  const rows = await tx
    .selectFrom('review_items as i')
    .innerJoin('users as u', 'u.id', 'i.reviewer_id')
    .select([
      'u.id',
      'u.email',
      'u.display_name',
      sql<string>`count(*)`.as('assigned'),
      sql<string>`count(i.decided_at)`.as('decided'),
    ])
    .where('i.campaign_id', '=', campaign.id)
    .groupBy(['u.id', 'u.email', 'u.display_name'])
    .orderBy('u.email')
    .execute();
  const reviewers = rows.map((r) => ({
    reviewer: { id: r.id, email: r.email, name: r.display_name },
    assigned: Number(r.assigned),
    decided: Number(r.decided),
  }));
  return { ...(summary as CampaignSummary), reviewers };
}

/** A campaign's items in snapshot order, as the filter narrows them. */
export async function filteredItems(
  tx: Tx,
  campaignId: string,
  filter: ItemFilter,
): Promise<ReviewItemRecord[]> {
  let query = tx
    .selectFrom('review_items')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('position');
  if (filter.reviewerId) query = query.where('reviewer_id', '=', filter.reviewerId);
  if (filter.decision === 'undecided') query = query.where('decision', 'is', null);
  else if (filter.decision) query = query.where('decision', '=', filter.decision);
  if (filter.flag) query = query.where(sql<boolean>`${filter.flag} = ANY(flags)`);
  if (filter.privileged !== undefined) query = query.where('privileged', '=', filter.privileged);
  return itemRecords(tx, await query.execute());
}

/** The reviewer's undecided items of open campaigns: oldest campaign first, snapshot order. */
export async function reviewerQueue(
  tx: Tx,
  orgId: string,
  reviewerId: string,
  filter: QueueFilter = {},
): Promise<QueuedItem[]> {
  let query = tx
    .selectFrom('review_items as i')
    .innerJoin('review_campaigns as c', 'c.id', 'i.campaign_id')
    .selectAll('i')
    .select(['c.name as campaign_name', 'c.due_at as campaign_due_at'])
    .where('i.org_id', '=', orgId)
    .where('i.reviewer_id', '=', reviewerId)
    .where('i.decision', 'is', null)
    .where('c.status', '=', 'open')
    .orderBy('c.launched_at')
    .orderBy('c.id')
    .orderBy('i.position');
  if (filter.campaignId) query = query.where('i.campaign_id', '=', filter.campaignId);
  if (filter.flag) query = query.where(sql<boolean>`${filter.flag} = ANY(i.flags)`);
  if (filter.privileged !== undefined) query = query.where('i.privileged', '=', filter.privileged);
  const rows = await query.execute();
  const records = await itemRecords(tx, rows as ItemRow[]);
  return records.map((record, n) => {
    const row = rows[n] as (typeof rows)[number];
    return {
      ...record,
      campaign: { id: row.campaign_id, name: row.campaign_name, dueAt: row.campaign_due_at },
    };
  });
}
