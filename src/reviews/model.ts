import { canonicalJson, sha256 } from '../crypto/index.ts';
import type {
  ReviewDecision,
  ReviewerBasis,
  ReviewScopeKind,
  UndecidedPolicy,
} from '../platform/index.ts';
import type { RoleDefinition } from '../rbac/index.ts';

/** What a campaign reviews: one of the scopes of docs/reviews.md#scopes. */
export interface ReviewScope {
  kind: ReviewScopeKind;
  /** The OAuth client of a `client_users` campaign. */
  clientId?: string;
}

export interface LaunchInput {
  scope: ReviewScope;
  name: string;
  dueAt: Date;
  /** Default: `revoke` for privileged scopes (privileged roles, API keys), `keep` otherwise. */
  undecided?: UndecidedPolicy;
  /** The schedule's period of a campaign it launches (one per organization and period). */
  scheduleKey?: string;
}

/** Flags that help a reviewer (docs/reviews.md#flags). */
export type ReviewFlag = 'dormant' | 'granted_outside_scim' | 'conflict_rule_hit' | 'past_end_date';

/**
 * Not signed in for this long (or never, this long after creation): flagged dormant, when the
 * organization's lifecycle policy sets no `dormantDays` of its own (docs/reviews.md#flags).
 */
export const dormantAfterDays = 90;

/** What an item records as of the launch: the snapshot's content, hashed. */
export interface SnapshotItem {
  subjectUserId: string;
  subjectEmail: string;
  subjectName: string;
  roleKey: string | null;
  apiKeyId: string | null;
  apiKeyName: string | null;
  /** A 'client_users' item's OAuth client (its permissions: the scopes granted). */
  clientId: string | null;
  permissions: string[];
  heldSince: Date;
  grantedBy: string | null;
  source: 'admin' | 'scim';
  lastSignInAt: Date | null;
  mfaEnrolled: boolean;
  flags: ReviewFlag[];
  privileged: boolean;
}

export const defaultUndecidedPolicy = (kind: ReviewScopeKind): UndecidedPolicy =>
  kind === 'privileged_roles' || kind === 'api_keys' ? 'revoke' : 'keep';

/** The SHA-256 (hex) of the canonical JSON of the snapshot's items, in their order. */
export const snapshotSha256 = (items: readonly SnapshotItem[]): string =>
  sha256(canonicalJson(items)).toString('hex');

/** The order of a snapshot: by user, then role key, API key id or client id. */
export const snapshotOrder = (a: SnapshotItem, b: SnapshotItem): number =>
  a.subjectUserId.localeCompare(b.subjectUserId) || accessKeyOf(a).localeCompare(accessKeyOf(b));

const accessKeyOf = (item: SnapshotItem): string =>
  item.roleKey ?? item.apiKeyId ?? item.clientId ?? '';

/**
 * Who may review an item, in order. The role owner and manager are given only when they can act
 * on it: active users holding `reviews.decide` or `reviews.manage` (docs/reviews.md#reviewers).
 */
export interface ReviewerCandidates {
  roleOwner: string | null;
  manager: string | null;
  /** Active holders of `reviews.manage`, in a stable order. */
  admins: readonly string[];
}

/**
 * The reviewer of an item: the role's owner, else the subject's manager, else the first of the
 * organization's admins; never the subject themself (the next candidate is taken). Null when
 * nobody but the subject could review it: the item is unreviewable.
 */
export function chooseReviewer(
  subjectUserId: string,
  candidates: ReviewerCandidates,
): { reviewerId: string; basis: ReviewerBasis } | null {
  const { roleOwner, manager, admins } = candidates;
  if (roleOwner !== null && roleOwner !== subjectUserId)
    return { reviewerId: roleOwner, basis: 'role_owner' };
  if (manager !== null && manager !== subjectUserId)
    return { reviewerId: manager, basis: 'manager' };
  // Found without copying the list: an organization may have many admins, and a campaign many items.
  const admin = admins.find((id) => id !== subjectUserId);
  return admin === undefined ? null : { reviewerId: admin, basis: 'admin' };
}

/** A decision as asked for: `droppedRoleKeys` only with `reduce`. */
export interface DecisionInput {
  decision: ReviewDecision;
  justification?: string;
  droppedRoleKeys?: string[];
}

export const reviewDecisions: readonly ReviewDecision[] = ['keep', 'revoke', 'reduce'];

/** What every scope's items share: the flags and reviewers of a subject. */
export interface SubjectView {
  holders: Map<string, RoleDefinition[]>;
  lastSignIns: Map<string, Date>;
  enrolled: Set<string>;
  flagsOf(subject: Subject, outsideScim: boolean): ReviewFlag[];
  candidatesOf(roleOwner: string | null, manager: string | null): ReviewerCandidates;
}

/** The user an item is about, as the flags need them. */
export interface Subject {
  userId: string;
  createdAt: Date;
  endAt: Date | null;
  externalId: string | null;
}
