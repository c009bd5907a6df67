import type { AuditActor, GrantSource, Tx } from '../platform/index.ts';
import { unassigned } from './assignments.ts';
import type { RbacDeps } from './principals.ts';
import * as store from './store.ts';

/** A user's roles and pending requests, each with where it came from. */
export interface UserGrants {
  held: { roleKey: string; source: GrantSource; expiresAt: Date | null }[];
  pending: { requestId: string; roleKey: string; source: GrantSource }[];
}

/**
 * Grants by their source: what the directory (SCIM) asked for is read and taken back by itself,
 * and an administrator's grants are never touched by it (docs/scim.md#groups-and-roles).
 */
export function createSourcedGrants(deps: Pick<RbacDeps, 'audit' | 'clock'>) {
  const { audit, clock } = deps;

  async function withdrawRequests(
    tx: Tx,
    requestIds: readonly string[],
    reason: string,
    actor: AuditActor,
  ): Promise<number> {
    if (requestIds.length === 0) return 0;
    const closed = await store.withdrawRequests(tx, requestIds, clock.now(), reason);
    for (const r of closed) {
      await audit(tx, {
        orgId: r.org_id,
        action: 'access_request.withdrawn',
        actor,
        target: { type: 'access_request', id: r.id },
        details: { userId: r.user_id, role: r.role_key, source: r.source, reason },
      });
    }
    return closed.length;
  }

  return {
    /** The roles each user holds now (expired ones left out) and their pending requests. */
    async grantsOfUsers(tx: Tx, userIds: readonly string[]): Promise<Map<string, UserGrants>> {
      const { assignments, pending } = await store.grantsOfUsers(tx, userIds);
      const now = clock.now();
      const byUser = new Map<string, UserGrants>(
        userIds.map((id) => [id, { held: [], pending: [] }]),
      );
      for (const a of assignments) {
        if (a.expires_at && a.expires_at <= now) continue;
        byUser
          .get(a.user_id)
          ?.held.push({ roleKey: a.role_key, source: a.source, expiresAt: a.expires_at });
      }
      for (const r of pending) {
        if (r.expires_at <= now) continue;
        byUser
          .get(r.user_id)
          ?.pending.push({ requestId: r.id, roleKey: r.role_key, source: r.source });
      }
      return byUser;
    },

    /**
     * Closes pending requests nobody wants any more (a SCIM request whose group membership or
     * mapping ended), each audited with the reason; answers how many were still pending.
     */
    withdrawRequests,

    /**
     * Every role of a user that came from `source` goes, and the user's pending requests from it
     * close, each audited with `reason` (a suspension ends what the directory granted; an
     * administrator's grants stay). Answers how many roles went.
     */
    async unassignBySource(
      tx: Tx,
      userId: string,
      source: GrantSource,
      reason: string,
      actor: AuditActor,
    ): Promise<number> {
      const removed = await store.deleteAssignmentsBySource(tx, userId, source);
      for (const row of removed) await audit(tx, unassigned(row, reason, actor));
      const { pending } = await store.grantsOfUsers(tx, [userId]);
      const fromSource = pending.filter((r) => r.source === source).map((r) => r.id);
      await withdrawRequests(tx, fromSource, reason, actor);
      return removed.length;
    },
  };
}
