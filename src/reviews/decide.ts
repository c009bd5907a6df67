import { type AuditActor, type AuditWriter, isUuid, type Tx } from '../platform/index.ts';
import { reviewErrors } from './errors.ts';
import { type DecisionInput, reviewDecisions } from './model.ts';
import * as store from './store.ts';

/** The person an actor is: a user, or an API key acting for the user who made it. */
const personOf = (actor: AuditActor): string | null =>
  actor.type === 'user' ? (actor.id ?? null) : null;

function checkInput(itemIds: readonly string[], input: DecisionInput) {
  if (itemIds.length === 0)
    throw reviewErrors.campaignInvalid({ field: 'itemIds', problem: 'name at least one item' });
  const bad = itemIds.find((id) => !isUuid(id));
  if (bad !== undefined) throw reviewErrors.itemNotFound({ itemId: String(bad) });
  if (!reviewDecisions.includes(input.decision))
    throw reviewErrors.campaignInvalid({
      field: 'decision',
      problem: 'one of keep, revoke, reduce',
    });
  if (input.justification !== undefined && input.justification.length > 2000)
    throw reviewErrors.campaignInvalid({
      field: 'justification',
      problem: 'at most 2000 characters',
    });
  if (input.decision !== 'reduce' && input.droppedRoleKeys !== undefined)
    throw reviewErrors.campaignInvalid({ field: 'droppedRoleKeys', problem: 'only with reduce' });
}

/**
 * Records one decision on each item, all or none: every item is checked (it exists, its campaign
 * is open, it is not the decider's own access, it is assigned to them, a kept privileged access
 * is justified, a reduction drops roles the subject holds) before any is written, and each
 * decided item gets its own audit event.
 */
export async function decideItems(
  tx: Tx,
  audit: AuditWriter,
  orgId: string,
  itemIds: readonly string[],
  input: DecisionInput,
  actor: AuditActor,
  now: Date,
): Promise<store.ItemRow[]> {
  checkInput(itemIds, input);
  const unique = [...new Set(itemIds)];
  const campaignIds = (await store.itemsByIds(tx, orgId, unique)).map((i) => i.campaign_id);
  const campaigns = new Map<string, store.CampaignRow | undefined>();
  // Campaigns first, in a stable order (as close locks them before their items); the items are
  // read again once they are held, so a reassignment that committed meanwhile counts.
  for (const id of [...new Set(campaignIds)].sort())
    campaigns.set(id, await store.shareCampaign(tx, orgId, id));
  const items = await store.itemsByIds(tx, orgId, unique);
  const missing = unique.find((id) => !items.some((i) => i.id === id));
  if (missing) throw reviewErrors.itemNotFound({ itemId: missing });
  const person = personOf(actor);
  const justification = input.justification?.trim() || null;
  for (const item of items) {
    if (campaigns.get(item.campaign_id)?.status !== 'open') throw reviewErrors.campaignClosed();
    // Checked before the assignment: the subject is never their own reviewer, but say why.
    if (person === item.subject_user_id) throw reviewErrors.selfReview({ itemId: item.id });
    if (person === null || item.reviewer_id !== person)
      throw reviewErrors.notReviewer({ itemId: item.id });
    if (input.decision === 'keep' && item.privileged && !justification)
      throw reviewErrors.justificationRequired({ itemId: item.id });
    if (input.decision === 'reduce') await checkReduction(tx, item, input.droppedRoleKeys);
  }
  const decided: store.ItemRow[] = [];
  for (const item of items) {
    const changes = {
      decision: input.decision,
      dropped_role_keys:
        input.decision === 'reduce' ? [...new Set(input.droppedRoleKeys)].sort() : null,
      justification,
      decided_by: person,
      decided_at: now,
    };
    await store.updateItem(tx, item.id, changes);
    await audit(tx, {
      orgId,
      action: 'review.item.decided',
      actor,
      target: { type: 'review_item', id: item.id },
      details: {
        campaignId: item.campaign_id,
        subject: item.subject_user_id,
        role: item.role_key,
        apiKey: item.api_key_id,
        decision: input.decision,
        droppedRoles: changes.dropped_role_keys,
        justification,
        bulk: unique.length > 1,
      },
    });
    decided.push({ ...item, ...changes });
  }
  return decided;
}

/**
 * A reduction drops some of the roles the subject held in the campaign's snapshot, not all of
 * them (that is revoking each), and only on a role item.
 */
async function checkReduction(tx: Tx, item: store.ItemRow, dropped: string[] | undefined) {
  if (item.role_key === null)
    throw reviewErrors.reduceInvalid({
      itemId: item.id,
      problem: 'an API key is kept or revoked, not reduced',
    });
  if (!dropped || dropped.length === 0)
    throw reviewErrors.reduceInvalid({ itemId: item.id, problem: 'droppedRoleKeys names no role' });
  const held = (await store.itemsOf(tx, item.campaign_id))
    .filter((i) => i.subject_user_id === item.subject_user_id && i.role_key !== null)
    .map((i) => i.role_key as string);
  const unknown = dropped.find((k) => !held.includes(k));
  if (unknown !== undefined)
    throw reviewErrors.reduceInvalid({
      itemId: item.id,
      problem: `${unknown} is not one of the roles reviewed`,
    });
  if (held.every((k) => dropped.includes(k)))
    throw reviewErrors.reduceInvalid({
      itemId: item.id,
      problem: 'dropping every role is revoking: decide revoke',
    });
}
