import type { ReviewDecision, ReviewOutcome } from '../platform/index.ts';
import { AppError, type AuditActor, type AuditWriter, type Tx } from '../platform/index.ts';
import type { Removal } from '../rbac/index.ts';
import * as store from './store.ts';

/** What closing reaches in other modules: the one assignment path and the sign-out. */
export interface Revokers {
  /** rbac's batched unassign: the removals that took effect (see `Rbac.unassignMany`). */
  unassignMany(
    tx: Tx,
    orgId: string,
    removals: readonly Removal[],
    actor: AuditActor,
  ): Promise<Removal[]>;
  revokeApiKey(
    tx: Tx,
    orgId: string,
    id: string,
    reason: string,
    actor: AuditActor,
  ): Promise<unknown>;
  /** A user's grants to one OAuth client and their tokens; false: none was live. */
  revokeClientAccess(
    tx: Tx,
    orgId: string,
    userId: string,
    clientId: string,
    reason: string,
    actor: AuditActor,
  ): Promise<boolean>;
  /** Ends the sessions and tokens of users who lost a role (what relied on it), all at once. */
  signOutUsers(
    tx: Tx,
    userIds: readonly string[],
    revocation: string,
    actor: AuditActor,
  ): Promise<void>;
}

/** The API key was already gone (revoked or removed since the launch): nothing to revoke. */
const alreadyGone = (err: unknown) =>
  err instanceof AppError && ['apikey.revoked', 'apikey.not_found'].includes(err.code);

/** The roles an item's decision takes away: its own, or those a reduction drops. */
function rolesTaken(item: store.ItemRow, decision: ReviewDecision): string[] {
  if (decision === 'revoke' && item.role_key !== null) return [item.role_key];
  if (decision === 'reduce') return item.dropped_role_keys ?? [];
  return [];
}

/**
 * Applies every item's decision, or the campaign's undecided policy, in `tx`: revoked roles go
 * through rbac's unassign (all of them in one batch: a large campaign takes thousands), a revoked
 * key through the API key service, a revoked client's access through the provider's grants, each
 * with an audit event naming the campaign and the item. Every user who lost a role is signed out
 * everywhere (what relied on the role ends), all of them in one batch; a revoked API key or
 * client grant takes its own tokens with it and signs nobody out. Returns the items as they are
 * after the close.
 */
export async function applyDecisions(
  tx: Tx,
  deps: { audit: AuditWriter; revokers: Revokers },
  campaign: store.CampaignRow,
  items: store.ItemRow[],
  actor: AuditActor,
  now: Date,
): Promise<store.ItemRow[]> {
  const { audit, revokers } = deps;
  const decisionOf = (item: store.ItemRow): ReviewDecision =>
    item.decision ?? (campaign.undecided_policy === 'revoke' ? 'revoke' : 'keep');
  const reasonOf = (item: store.ItemRow) => `access review ${campaign.id}, item ${item.id}`;
  // In item order: a role both revoked and dropped by a reduction goes to the first item naming
  // it; the other finds it already gone, as it would have one item after the other.
  const removals = new Map(
    items.map((item) => [
      item,
      rolesTaken(item, decisionOf(item)).map((roleKey) => ({
        userId: item.subject_user_id,
        roleKey,
        reason: reasonOf(item),
      })),
    ]),
  );
  const taken = new Set(
    await revokers.unassignMany(tx, campaign.org_id, [...removals.values()].flat(), actor),
  );
  const lostRole = new Set<string>();
  const closed: store.ItemRow[] = [];
  for (const item of items) {
    const decision = decisionOf(item);
    const removed = (removals.get(item) ?? []).filter((r) => taken.has(r)).map((r) => r.roleKey);
    let gone = decision === 'revoke' && item.role_key !== null && removed.length === 0;
    try {
      if (decision === 'revoke' && item.api_key_id !== null) {
        await revokers.revokeApiKey(tx, campaign.org_id, item.api_key_id, reasonOf(item), actor);
        removed.push(item.api_key_id);
      } else if (decision === 'revoke' && item.client_id !== null) {
        const revoked = await revokers.revokeClientAccess(
          tx,
          campaign.org_id,
          item.subject_user_id,
          item.client_id,
          reasonOf(item),
          actor,
        );
        if (revoked) removed.push(item.client_id);
        else gone = true;
      }
    } catch (err) {
      if (!alreadyGone(err)) throw err;
      gone = true;
    }
    const outcome: ReviewOutcome =
      decision === 'keep'
        ? 'kept'
        : gone
          ? 'already_gone'
          : decision === 'reduce'
            ? 'reduced'
            : 'revoked';
    const revokedAt = outcome === 'revoked' || outcome === 'reduced' ? now : null;
    if (removed.length > 0) {
      if (item.role_key !== null) lostRole.add(item.subject_user_id);
      await audit(tx, {
        orgId: campaign.org_id,
        action: 'review.item.revoked',
        actor,
        target: { type: 'user', id: item.subject_user_id },
        details: {
          campaignId: campaign.id,
          itemId: item.id,
          removed,
          kind: item.role_key !== null ? 'role' : item.api_key_id !== null ? 'api_key' : 'client',
          undecided: item.decision === null,
        },
      });
    }
    closed.push({ ...item, outcome, revoked_at: revokedAt });
  }
  await store.setOutcomes(tx, closed);
  await revokers.signOutUsers(tx, [...lostRole], 'access_review', actor);
  return closed;
}
