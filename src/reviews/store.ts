import { type Insertable, type Selectable, sql } from 'kysely';
import type { ReviewCampaignsTable, ReviewItemsTable, Tx } from '../platform/index.ts';

export type CampaignRow = Selectable<ReviewCampaignsTable>;
export type ItemRow = Selectable<ReviewItemsTable>;

/** An assignment held at `now`, with what the review shows of its holder. */
export interface HeldAssignment {
  user_id: string;
  email: string;
  display_name: string;
  manager_id: string | null;
  external_id: string | null;
  end_at: Date | null;
  created_at: Date;
  role_key: string;
  granted_by: string | null;
  granted_at: Date;
  source: 'admin' | 'scim';
}

/** Every assignment of the organization's active users held at `now` (expired ones are not). */
export function heldAssignments(tx: Tx, orgId: string, now: Date): Promise<HeldAssignment[]> {
  return tx
    .selectFrom('role_assignments as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select([
      'a.user_id',
      'u.email',
      'u.display_name',
      'u.manager_id',
      'u.external_id',
      'u.end_at',
      'u.created_at',
      'a.role_key',
      'a.granted_by',
      'a.granted_at',
      'a.source',
    ])
    .where('a.org_id', '=', orgId)
    .where('u.status', '=', 'active')
    .where(sql<boolean>`(a.expires_at IS NULL OR a.expires_at > ${now})`)
    .execute();
}

/** The organization's unrevoked, unexpired API keys with their creator (the subject). */
export function liveApiKeys(tx: Tx, orgId: string, now: Date) {
  return tx
    .selectFrom('api_keys as k')
    .innerJoin('users as u', 'u.id', 'k.created_by')
    .select([
      'k.id',
      'k.name',
      'k.permissions',
      'k.created_at',
      'u.id as user_id',
      'u.email',
      'u.display_name',
      'u.manager_id',
      'u.end_at',
      'u.created_at as user_created_at',
    ])
    .where('k.org_id', '=', orgId)
    .where('k.revoked_at', 'is', null)
    .where('k.expires_at', '>', now)
    .where('u.status', '=', 'active')
    .execute();
}

/** The owner of each custom role of the organization, by role key. */
export async function roleOwners(tx: Tx, orgId: string): Promise<Map<string, string>> {
  const rows = await tx
    .selectFrom('roles')
    .select(['key', 'owner_user_id'])
    .where('org_id', '=', orgId)
    .execute();
  return new Map(rows.map((r) => [r.key, r.owner_user_id]));
}

/** The users of the organization and whether they are active, by id. */
export async function activeUserIds(tx: Tx, orgId: string): Promise<Set<string>> {
  const rows = await tx
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .execute();
  return new Set(rows.map((r) => r.id));
}

export async function insertCampaign(tx: Tx, row: Insertable<ReviewCampaignsTable>) {
  await tx.insertInto('review_campaigns').values(row).execute();
}

/**
 * Items 10,000 to a statement, each chunk one JSON parameter expanded by PostgreSQL: a quarter
 * faster than multi-row VALUES (21 bind parameters a row) over a campaign of 100,000
 * assignments (docs/reviews.md#performance). The rows' keys are the table's columns.
 */
export async function insertItems(tx: Tx, rows: Insertable<ReviewItemsTable>[]) {
  for (let i = 0; i < rows.length; i += 10_000) {
    const chunk = rows.slice(i, i + 10_000);
    const columns = sql.join(Object.keys(chunk[0] ?? {}).map((c) => sql.ref(c)));
    await sql`
      INSERT INTO review_items (${columns})
      SELECT ${columns} FROM json_populate_recordset(NULL::review_items, ${JSON.stringify(chunk)}::json)`.execute(
      tx,
    );
  }
}

/** The campaign locked against a concurrent close or decision. */
export function lockCampaign(tx: Tx, orgId: string, id: string) {
  return tx
    .selectFrom('review_campaigns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * The campaign held against a close until the caller commits (decisions: a close waits for them,
 * and they see a close that committed first). Locked before any item, like close does.
 */
export function shareCampaign(tx: Tx, orgId: string, id: string) {
  return tx
    .selectFrom('review_campaigns')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .forShare()
    .executeTakeFirst();
}

export function itemsOf(tx: Tx, campaignId: string): Promise<ItemRow[]> {
  return tx
    .selectFrom('review_items')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('position')
    .execute();
}

export function itemsByIds(tx: Tx, orgId: string, ids: readonly string[]): Promise<ItemRow[]> {
  return tx
    .selectFrom('review_items')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', sql<string>`ANY(${ids}::uuid[])`)
    .execute();
}

export async function updateItem(tx: Tx, id: string, changes: Partial<ItemRow>) {
  await tx.updateTable('review_items').set(changes).where('id', '=', id).execute();
}

/**
 * Each item's outcome at close and, for those revoked or reduced, when that took effect: one
 * statement for the whole campaign.
 */
export async function setOutcomes(
  tx: Tx,
  items: readonly Pick<ItemRow, 'id' | 'outcome' | 'revoked_at'>[],
) {
  if (items.length === 0) return;
  const ids = items.map((i) => i.id);
  const outcomes = items.map((i) => i.outcome);
  const revokedAt = items.map((i) => i.revoked_at?.toISOString() ?? null);
  await sql`
    UPDATE review_items AS i SET outcome = o.outcome, revoked_at = o.revoked_at
    FROM unnest(${ids}::uuid[], ${outcomes}::text[], ${revokedAt}::timestamptz[])
      AS o(id, outcome, revoked_at)
    WHERE i.id = o.id`.execute(tx);
}

export async function closeCampaign(tx: Tx, id: string, at: Date, by: string | null) {
  await tx
    .updateTable('review_campaigns')
    .set({ status: 'closed', closed_at: at, closed_by: by })
    .where('id', '=', id)
    .execute();
}

/** Display names of these users, by id (reviewers and deciders in a record). */
export async function namesOf(tx: Tx, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, { email: string; name: string }>();
  const rows = await tx
    .selectFrom('users')
    .select(['id', 'email', 'display_name'])
    .where('id', '=', sql<string>`ANY(${ids}::uuid[])`)
    .execute();
  return new Map(rows.map((r) => [r.id, { email: r.email, name: r.display_name }]));
}

/** The undecided items of open campaigns assigned to a reviewer. */
export function openItemsOf(tx: Tx, orgId: string, reviewerId: string): Promise<ItemRow[]> {
  return tx
    .selectFrom('review_items as i')
    .innerJoin('review_campaigns as c', 'c.id', 'i.campaign_id')
    .selectAll('i')
    .where('i.org_id', '=', orgId)
    .where('i.reviewer_id', '=', reviewerId)
    .where('i.decision', 'is', null)
    .where('c.status', '=', 'open')
    .orderBy('c.launched_at')
    .orderBy('i.position')
    .execute();
}

/**
 * The organization's active users among `ids`, by email: a client's grantees to review, the
 * admins a schedule mails.
 */
export function activeUsersAmong(tx: Tx, orgId: string, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return tx
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'manager_id', 'end_at', 'created_at'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .where('id', '=', sql<string>`ANY(${ids}::uuid[])`)
    .orderBy('email')
    .execute();
}
