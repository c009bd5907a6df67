import type { ReviewOutcome } from '../platform/index.ts';
import { AppError, type AuditActor, type AuditWriter, type Tx } from '../platform/index.ts';
import * as store from './store.ts';

/** What closing reaches in other modules: the one assignment path and the sign-out. */
export interface Revokers {
  unassign(
    tx: Tx,
    orgId: string,
    userId: string,
    roleKey: string,
    reason: string,
    actor: AuditActor,
  ): Promise<void>;
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
  signOutUser(tx: Tx, userId: string, revocation: string, actor: AuditActor): Promise<void>;
}

/** The access was already gone (removed or expired since the launch): nothing to revoke. */
const alreadyGone = (err: unknown) =>
  err instanceof AppError &&
  ['rbac.not_assigned', 'apikey.revoked', 'apikey.not_found'].includes(err.code);

/**
 * Applies every item's decision, or the campaign's undecided policy, in `tx`: a revoked role goes
 * through rbac's unassign, a revoked key through the API key service, a revoked client's access
 * through the provider's grants, each with an audit event
 * naming the campaign and the item; every user who lost something is signed out everywhere once
 * (what relied on the role ends). Returns the items as they are after the close.
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
  const lostAccess = new Set<string>();
  const closed: store.ItemRow[] = [];
  for (const item of items) {
    const decision = item.decision ?? (campaign.undecided_policy === 'revoke' ? 'revoke' : 'keep');
    const reason = `access review ${campaign.id}, item ${item.id}`;
    let removed: string[] = [];
    let gone = false;
    try {
      if (decision === 'revoke' && item.role_key !== null) {
        await revokers.unassign(
          tx,
          campaign.org_id,
          item.subject_user_id,
          item.role_key,
          reason,
          actor,
        );
        removed = [item.role_key];
      } else if (decision === 'revoke' && item.api_key_id !== null) {
        await revokers.revokeApiKey(tx, campaign.org_id, item.api_key_id, reason, actor);
        removed = [item.api_key_id];
      } else if (decision === 'revoke' && item.client_id !== null) {
        const revoked = await revokers.revokeClientAccess(
          tx,
          campaign.org_id,
          item.subject_user_id,
          item.client_id,
          reason,
          actor,
        );
        if (revoked) removed = [item.client_id];
        else gone = true;
      }
    } catch (err) {
      if (!alreadyGone(err)) throw err;
      gone = true;
    }
    if (decision === 'reduce')
      for (const key of item.dropped_role_keys ?? []) {
        try {
          await revokers.unassign(tx, campaign.org_id, item.subject_user_id, key, reason, actor);
          removed.push(key);
        } catch (err) {
          if (!alreadyGone(err)) throw err;
        }
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
    await store.updateItem(tx, item.id, { outcome, revoked_at: revokedAt });
    if (removed.length > 0) {
      lostAccess.add(item.subject_user_id);
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
  for (const userId of lostAccess) await revokers.signOutUser(tx, userId, 'access_review', actor);
  return closed;
}
