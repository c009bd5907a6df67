import { request, requestFile } from '../../api.ts';

/** The scopes a campaign reviews (docs/reviews.md#scopes). */
export const scopeKinds = {
  privileged_roles: 'Privileged roles',
  all_assignments: 'All role assignments',
  client_users: 'Users of one OAuth client',
  api_keys: 'API keys',
} as const;

export type ScopeKind = keyof typeof scopeKinds;
export type Decision = 'keep' | 'revoke' | 'reduce';
export type UndecidedPolicy = 'keep' | 'revoke';
export type ReviewFlag = 'dormant' | 'granted_outside_scim' | 'conflict_rule_hit' | 'past_end_date';

/** A reviewer, a decider or a subject as the API names them. */
export interface NamedUser {
  id: string;
  email: string;
  name: string;
}

export interface CampaignMetrics {
  items: number;
  decided: number;
  onTime: number;
  revoked: number;
  unreviewable: number;
}

/** A campaign as the admin API shows it (src/reviews/record.ts `CampaignSummary`). */
export interface Campaign {
  id: string;
  name: string;
  scope: { kind: ScopeKind; clientId?: string };
  status: 'open' | 'closed';
  createdBy: string | null;
  launchedAt: string;
  dueAt: string;
  undecidedPolicy: UndecidedPolicy;
  snapshotSha256: string;
  closedAt: string | null;
  closedBy: string | null;
  metrics: CampaignMetrics;
}

/** The owner's progress view: the campaign and how far each reviewer got. */
export interface CampaignProgress extends Campaign {
  reviewers: { reviewer: NamedUser; assigned: number; decided: number }[];
}

/** One item of a campaign (src/reviews/record.ts `ReviewItemRecord`). */
export interface ReviewItem {
  id: string;
  position: number;
  subject: NamedUser;
  roleKey: string | null;
  apiKeyId: string | null;
  apiKeyName: string | null;
  clientId: string | null;
  permissions: string[];
  heldSince: string;
  grantedBy: string | null;
  source: 'admin' | 'scim';
  lastSignInAt: string | null;
  mfaEnrolled: boolean;
  flags: ReviewFlag[];
  privileged: boolean;
  reviewer: NamedUser | null;
  reviewerBasis: string | null;
  decision: Decision | null;
  droppedRoleKeys: string[] | null;
  justification: string | null;
  decidedBy: NamedUser | null;
  decidedAt: string | null;
  outcome: string | null;
  revokedAt: string | null;
}

/** An item of the signed-in reviewer's queue, with the campaign it belongs to. */
export interface QueueItem extends ReviewItem {
  campaign: { id: string; name: string; dueAt: string };
}

export interface LaunchInput {
  name: string;
  scope: { kind: ScopeKind; clientId?: string };
  dueAt: string;
  undecided?: UndecidedPolicy;
}

/** What both item lists filter on: a flag, and privileged access or not. */
export interface ItemTraitFilter {
  flag?: ReviewFlag;
  privileged?: 'true' | 'false';
}

export interface ItemFilter extends ItemTraitFilter {
  reviewerId?: string;
  decision?: Decision | 'undecided';
}

export interface QueueFilter extends ItemTraitFilter {
  campaignId?: string;
}

export interface DecisionInput {
  itemIds: string[];
  decision: Decision;
  justification?: string;
  droppedRoleKeys?: string[];
}

const org = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}`;
const campaigns = (orgId: string) => `${org(orgId)}/review-campaigns`;
const campaign = (orgId: string, id: string) => `${campaigns(orgId)}/${encodeURIComponent(id)}`;

/** The query of the filters that are set (an empty select sends nothing). */
function query(filter: object): string {
  const set = Object.entries(filter).filter(([, v]) => typeof v === 'string' && v !== '');
  return set.length ? `?${new URLSearchParams(set)}` : '';
}

export const reviewsApi = {
  campaigns: async (orgId: string) =>
    (await request<{ items: Campaign[] }>(campaigns(orgId))).body.items,
  launch: async (orgId: string, input: LaunchInput) =>
    (await request<Campaign>(campaigns(orgId), { method: 'POST', body: input })).body,
  progress: async (orgId: string, campaignId: string) =>
    (await request<CampaignProgress>(campaign(orgId, campaignId))).body,
  items: async (orgId: string, campaignId: string, filter: ItemFilter) =>
    (await request<{ items: ReviewItem[] }>(`${campaign(orgId, campaignId)}/items${query(filter)}`))
      .body.items,
  close: async (orgId: string, campaignId: string) =>
    (
      await request<Campaign & { clean: boolean }>(`${campaign(orgId, campaignId)}/close`, {
        method: 'POST',
        body: {},
      })
    ).body,
  evidence: (orgId: string, campaignId: string) =>
    requestFile(`${campaign(orgId, campaignId)}/evidence`),
  reassign: async (orgId: string, itemId: string, reviewerId: string, reason: string) =>
    (
      await request<ReviewItem>(
        `${org(orgId)}/review-items/${encodeURIComponent(itemId)}/reassign`,
        { method: 'POST', body: { reviewerId, reason } },
      )
    ).body,
  queue: async (orgId: string, filter: QueueFilter) =>
    (await request<{ items: QueueItem[] }>(`${org(orgId)}/review-queue${query(filter)}`)).body
      .items,
  decide: async (orgId: string, input: DecisionInput) =>
    (
      await request<{ decided: number }>(`${org(orgId)}/review-decisions`, {
        method: 'POST',
        body: input,
      })
    ).body,
};
