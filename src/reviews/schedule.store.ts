import { sql } from 'kysely';
import type { Tx } from '../platform/index.ts';
import type { CampaignRow } from './store.ts';

/**
 * Every active organization (platform scope), read afresh each round. A suspended organization
 * is left alone: its users cannot sign in to review, and nothing it holds is usable meanwhile.
 */
export function activeOrganizations(tx: Tx): Promise<{ id: string; name: string }[]> {
  return tx
    .selectFrom('organizations')
    .select(['id', 'name'])
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
}

/** Whether the organization already has the campaign the schedule launches for this period. */
export async function hasScheduled(tx: Tx, orgId: string, scheduleKey: string): Promise<boolean> {
  const row = await tx
    .selectFrom('review_campaigns')
    .select('id')
    .where('org_id', '=', orgId)
    .where('schedule_key', '=', scheduleKey)
    .executeTakeFirst();
  return row !== undefined;
}

/** The organization's open campaigns, oldest first. */
export function openCampaigns(tx: Tx, orgId: string): Promise<CampaignRow[]> {
  return tx
    .selectFrom('review_campaigns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('status', '=', 'open')
    .orderBy('launched_at')
    .orderBy('id')
    .execute();
}

/** A reviewer who has undecided items in a campaign, and how many. */
export interface UnfinishedReviewer {
  id: string;
  email: string;
  display_name: string;
  status: 'active' | 'suspended' | 'deprovisioned';
  items: number;
}

/** The reviewers with undecided items in the campaign, most items first, then by email. */
export async function unfinishedReviewers(
  tx: Tx,
  campaignId: string,
): Promise<UnfinishedReviewer[]> {
  const rows = await tx
    .selectFrom('review_items as i')
    .innerJoin('users as u', 'u.id', 'i.reviewer_id')
    .select(['u.id', 'u.email', 'u.display_name', 'u.status'])
    .select(sql<string>`count(*)`.as('items'))
    .where('i.campaign_id', '=', campaignId)
    .where('i.decision', 'is', null)
    .groupBy(['u.id', 'u.email', 'u.display_name', 'u.status'])
    .execute();
  return rows
    .map((r) => ({ ...r, items: Number(r.items) }))
    .sort((a, b) => b.items - a.items || a.email.localeCompare(b.email));
}

/** Undecided items of the campaign that nobody but their subject could review. */
export async function unreviewableCount(tx: Tx, campaignId: string): Promise<number> {
  const row = await tx
    .selectFrom('review_items')
    .select(sql<string>`count(*)`.as('n'))
    .where('campaign_id', '=', campaignId)
    .where('reviewer_id', 'is', null)
    .where('decision', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function markReminded(tx: Tx, campaignId: string, at: Date): Promise<void> {
  await tx
    .updateTable('review_campaigns')
    .set({ reminded_at: at })
    .where('id', '=', campaignId)
    .execute();
}

export async function markEscalated(tx: Tx, campaignId: string, at: Date): Promise<void> {
  await tx
    .updateTable('review_campaigns')
    .set({ escalated_at: at })
    .where('id', '=', campaignId)
    .execute();
}
