import type { ColumnType } from 'kysely';
import type { GrantSource } from './tables-lifecycle.ts';

/**
 * Row types of the access review tables (migrations 0020 and 0021, docs/reviews.md). Kept apart from
 * tables.ts only for its size; the same rules hold (test/db-tables.test.ts).
 */
type Timestamp = ColumnType<Date, Date, Date>;
/** A nullable column an insert may leave out. */
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;

export type ReviewScopeKind = 'privileged_roles' | 'all_assignments' | 'client_users' | 'api_keys';
export type UndecidedPolicy = 'revoke' | 'keep';
export type ReviewDecision = 'keep' | 'revoke' | 'reduce';
export type ReviewerBasis = 'role_owner' | 'manager' | 'admin' | 'reassigned';
export type ReviewOutcome = 'kept' | 'revoked' | 'reduced' | 'already_gone';

export interface ReviewCampaignsTable {
  id: string;
  org_id: string;
  name: string;
  scope_kind: ReviewScopeKind;
  scope_client_id: Optional<string>;
  created_by: Optional<string>;
  launched_at: Timestamp;
  due_at: Timestamp;
  undecided_policy: UndecidedPolicy;
  snapshot_sha256: string;
  status: 'open' | 'closed';
  closed_at: Optional<Date>;
  closed_by: Optional<string>;
  /** The schedule's period ('privileged_roles:2026-10-01'); null: launched by hand. */
  schedule_key: Optional<string>;
  reminded_at: Optional<Date>;
  escalated_at: Optional<Date>;
}

export interface ReviewItemsTable {
  id: string;
  campaign_id: string;
  org_id: string;
  position: number;
  subject_user_id: string;
  subject_email: string;
  subject_name: string;
  role_key: Optional<string>;
  api_key_id: Optional<string>;
  api_key_name: Optional<string>;
  /** A 'client_users' item's OAuth client (its permissions are the scopes granted). */
  client_id: Optional<string>;
  permissions: string[];
  held_since: Timestamp;
  granted_by: Optional<string>;
  source: GrantSource;
  last_sign_in_at: Optional<Date>;
  mfa_enrolled: boolean;
  flags: string[];
  privileged: boolean;
  reviewer_id: Optional<string>;
  reviewer_basis: Optional<ReviewerBasis>;
  decision: Optional<ReviewDecision>;
  dropped_role_keys: Optional<string[]>;
  justification: Optional<string>;
  decided_by: Optional<string>;
  decided_at: Optional<Date>;
  outcome: Optional<ReviewOutcome>;
  revoked_at: Optional<Date>;
}
