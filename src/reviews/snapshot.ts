import type { Tx } from '../platform/index.ts';
import type { RoleDefinition } from '../rbac/index.ts';
import { type ClientSources, clientUserItems } from './client-users.ts';
import {
  dormantAfterDays,
  type ReviewerCandidates,
  type ReviewFlag,
  type ReviewScope,
  type SnapshotItem,
  type Subject,
  type SubjectView,
  snapshotOrder,
} from './model.ts';
import * as store from './store.ts';

/** What the snapshot reads through other modules' services. */
export interface SnapshotSources extends ClientSources {
  rolesOf(tx: Tx, orgId: string): Promise<RoleDefinition[]>;
  holdersIn(tx: Tx, orgId: string): Promise<Map<string, RoleDefinition[]>>;
  violations(tx: Tx, orgId: string): Promise<{ userId: string }[]>;
  usersWithFactor(tx: Tx, orgId: string): Promise<Set<string>>;
  lastSignIns(tx: Tx, orgId: string): Promise<Map<string, Date>>;
  /** The lifecycle policy's `dormantDays` of the organization (null: it suspends nobody). */
  dormantDays(tx: Tx, orgId: string): Promise<number | null>;
}

/** A snapshot item with who may review it (not hashed: reviewers can be reassigned). */
export interface PlannedItem {
  item: SnapshotItem;
  candidates: ReviewerCandidates;
}

/**
 * The items of a scope as of `now`, in snapshot order, with each one's reviewer candidates:
 * everything read in the caller's transaction, so the snapshot is one consistent moment.
 */
export async function takeSnapshot(
  tx: Tx,
  sources: SnapshotSources,
  orgId: string,
  scope: ReviewScope,
  now: Date,
): Promise<PlannedItem[]> {
  const [roles, holders, violations, enrolled, lastSignIns, owners, active, dormantDays] = [
    await sources.rolesOf(tx, orgId),
    await sources.holdersIn(tx, orgId),
    await sources.violations(tx, orgId),
    await sources.usersWithFactor(tx, orgId),
    await sources.lastSignIns(tx, orgId),
    await store.roleOwners(tx, orgId),
    await store.activeUserIds(tx, orgId),
    await sources.dormantDays(tx, orgId),
  ];
  const conflicted = new Set(violations.map((v) => v.userId));
  const holding = (permission: string) =>
    new Set(
      [...holders]
        .filter(
          ([id, held]) => active.has(id) && held.some((r) => r.permissions.includes(permission)),
        )
        .map(([id]) => id),
    );
  const admins = [...holding('reviews.manage')].sort();
  // A role owner or manager who could not act on the item is passed over for the next candidate.
  const mayReview = new Set([...admins, ...holding('reviews.decide')]);
  const ableOrNull = (id: string | null) => (id && mayReview.has(id) ? id : null);
  // The organization's own dormancy threshold; the review flag still helps where it has none.
  const dormantBefore = now.getTime() - (dormantDays ?? dormantAfterDays) * 86_400_000;
  const flagsOf = (s: Subject, outsideScim: boolean): ReviewFlag[] => {
    const lastUse = lastSignIns.get(s.userId) ?? s.createdAt;
    const flags: ReviewFlag[] = [];
    if (lastUse.getTime() < dormantBefore) flags.push('dormant');
    if (outsideScim) flags.push('granted_outside_scim');
    if (conflicted.has(s.userId)) flags.push('conflict_rule_hit');
    if (s.endAt && s.endAt <= now) flags.push('past_end_date');
    return flags;
  };
  const view: SubjectView = {
    holders,
    lastSignIns,
    enrolled,
    flagsOf,
    candidatesOf: (roleOwner, manager) => ({
      roleOwner: ableOrNull(roleOwner),
      manager: ableOrNull(manager),
      admins,
    }),
  };

  const planned: PlannedItem[] = [];
  if (scope.kind === 'client_users') {
    planned.push(...(await clientUserItems(tx, sources, orgId, scope.clientId, view)));
  } else if (scope.kind === 'api_keys') {
    for (const k of await store.liveApiKeys(tx, orgId, now)) {
      const subject = {
        userId: k.user_id,
        createdAt: k.user_created_at,
        endAt: k.end_at,
        externalId: null,
      };
      planned.push({
        item: {
          subjectUserId: k.user_id,
          subjectEmail: k.email,
          subjectName: k.display_name,
          roleKey: null,
          apiKeyId: k.id,
          apiKeyName: k.name,
          clientId: null,
          permissions: [...k.permissions].sort(),
          heldSince: k.created_at,
          grantedBy: k.user_id,
          source: 'admin',
          lastSignInAt: lastSignIns.get(k.user_id) ?? null,
          mfaEnrolled: enrolled.has(k.user_id),
          flags: flagsOf(subject, false),
          // A key can do what it names; one with a high-risk permission is reviewed as privileged.
          privileged: k.permissions.some((p) =>
            roles.some((r) => r.privileged && r.permissions.includes(p)),
          ),
        },
        candidates: view.candidatesOf(null, k.manager_id),
      });
    }
  } else {
    for (const a of await store.heldAssignments(tx, orgId, now)) {
      const role = roles.find((r) => r.key === a.role_key);
      if (!role || (scope.kind === 'privileged_roles' && !role.privileged)) continue;
      const subject = {
        userId: a.user_id,
        createdAt: a.created_at,
        endAt: a.end_at,
        externalId: a.external_id,
      };
      planned.push({
        item: {
          subjectUserId: a.user_id,
          subjectEmail: a.email,
          subjectName: a.display_name,
          roleKey: a.role_key,
          apiKeyId: null,
          apiKeyName: null,
          clientId: null,
          permissions: [...role.permissions].sort(),
          heldSince: a.granted_at,
          grantedBy: a.granted_by,
          source: a.source,
          lastSignInAt: lastSignIns.get(a.user_id) ?? null,
          mfaEnrolled: enrolled.has(a.user_id),
          // A user the directory manages who got this role from an administrator instead.
          flags: flagsOf(subject, a.external_id !== null && a.source === 'admin'),
          privileged: role.privileged,
        },
        candidates: view.candidatesOf(owners.get(a.role_key) ?? null, a.manager_id),
      });
    }
  }
  return planned.sort((x, y) => snapshotOrder(x.item, y.item));
}
