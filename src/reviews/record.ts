import type {
  ReviewDecision,
  ReviewerBasis,
  ReviewOutcome,
  Tx,
  UndecidedPolicy,
} from '../platform/index.ts';
import type { ReviewFlag, ReviewScope } from './model.ts';
import * as store from './store.ts';

/** A person named in a record: a reviewer or a decider. */
export interface NamedUser {
  id: string;
  email: string;
  name: string;
}

/** One item of a campaign as recorded: the snapshot, the review and its effect. */
export interface ReviewItemRecord {
  id: string;
  position: number;
  subject: NamedUser;
  roleKey: string | null;
  apiKeyId: string | null;
  apiKeyName: string | null;
  /** A 'client_users' item's OAuth client. */
  clientId: string | null;
  permissions: string[];
  heldSince: Date;
  grantedBy: string | null;
  source: 'admin' | 'scim';
  lastSignInAt: Date | null;
  mfaEnrolled: boolean;
  flags: ReviewFlag[];
  privileged: boolean;
  /** Null: nobody but the subject could review it (unreviewable). */
  reviewer: NamedUser | null;
  reviewerBasis: ReviewerBasis | null;
  decision: ReviewDecision | null;
  droppedRoleKeys: string[] | null;
  justification: string | null;
  decidedBy: NamedUser | null;
  decidedAt: Date | null;
  /** Set at close: what happened to the access. */
  outcome: ReviewOutcome | null;
  /** When the revocation took effect (the close's commit), for revoked and reduced items. */
  revokedAt: Date | null;
}

/** Completion metrics of a campaign (docs/reviews.md#metrics). */
export interface CampaignMetrics {
  items: number;
  decided: number;
  /** Decided no later than the due date. */
  onTime: number;
  /** Revoked or reduced at close. */
  revoked: number;
  /** Items nobody but their subject could review: the campaign cannot close clean. */
  unreviewable: number;
}

export interface CampaignSummary {
  id: string;
  orgId: string;
  name: string;
  scope: ReviewScope;
  status: 'open' | 'closed';
  createdBy: string | null;
  launchedAt: Date;
  dueAt: Date;
  undecidedPolicy: UndecidedPolicy;
  snapshotSha256: string;
  closedAt: Date | null;
  closedBy: string | null;
  metrics: CampaignMetrics;
}

/** A campaign and every item of it, as evidence (the export and the admin API's reads build on it). */
export interface CampaignRecord {
  campaign: CampaignSummary;
  items: ReviewItemRecord[];
}

export function metricsOf(
  campaign: store.CampaignRow,
  items: readonly store.ItemRow[],
): CampaignMetrics {
  const decided = items.filter((i) => i.decided_at !== null);
  return {
    items: items.length,
    decided: decided.length,
    onTime: decided.filter((i) => (i.decided_at as Date) <= campaign.due_at).length,
    revoked: items.filter((i) => i.outcome === 'revoked' || i.outcome === 'reduced').length,
    unreviewable: items.filter((i) => i.reviewer_id === null).length,
  };
}

export function summaryOf(c: store.CampaignRow, items: readonly store.ItemRow[]): CampaignSummary {
  return {
    id: c.id,
    orgId: c.org_id,
    name: c.name,
    scope:
      c.scope_client_id === null
        ? { kind: c.scope_kind }
        : { kind: c.scope_kind, clientId: c.scope_client_id },
    status: c.status,
    createdBy: c.created_by,
    launchedAt: c.launched_at,
    dueAt: c.due_at,
    undecidedPolicy: c.undecided_policy,
    snapshotSha256: c.snapshot_sha256,
    closedAt: c.closed_at,
    closedBy: c.closed_by,
    metrics: metricsOf(c, items),
  };
}

/** The record of a campaign read in `tx`, with the names of its subjects, reviewers, deciders. */
export async function readRecord(tx: Tx, campaign: store.CampaignRow): Promise<CampaignRecord> {
  const items = await store.itemsOf(tx, campaign.id);
  return { campaign: summaryOf(campaign, items), items: await itemRecords(tx, items) };
}

/** Items as a record shows them, with the names of their reviewers and deciders read in `tx`. */
export async function itemRecords(
  tx: Tx,
  items: readonly store.ItemRow[],
): Promise<ReviewItemRecord[]> {
  const ids = new Set<string>();
  for (const i of items) for (const id of [i.reviewer_id, i.decided_by]) if (id) ids.add(id);
  const names = await store.namesOf(tx, [...ids]);
  const named = (id: string | null): NamedUser | null => {
    const n = id ? names.get(id) : undefined;
    return id && n ? { id, ...n } : null;
  };
  return items.map((i) => ({
    id: i.id,
    position: i.position,
    subject: { id: i.subject_user_id, email: i.subject_email, name: i.subject_name },
    roleKey: i.role_key,
    apiKeyId: i.api_key_id,
    apiKeyName: i.api_key_name,
    clientId: i.client_id,
    permissions: i.permissions,
    heldSince: i.held_since,
    grantedBy: i.granted_by,
    source: i.source,
    lastSignInAt: i.last_sign_in_at,
    mfaEnrolled: i.mfa_enrolled,
    flags: i.flags as ReviewFlag[],
    privileged: i.privileged,
    reviewer: named(i.reviewer_id),
    reviewerBasis: i.reviewer_basis,
    decision: i.decision,
    droppedRoleKeys: i.dropped_role_keys,
    justification: i.justification,
    decidedBy: named(i.decided_by),
    decidedAt: i.decided_at,
    outcome: i.outcome,
    revokedAt: i.revoked_at,
  }));
}
