import type { AuditActor, Tx } from '../platform/index.ts';
import type { RbacDeps } from './principals.ts';
import * as store from './store.ts';

/**
 * Removes the assignments and closes the pending requests expired at `deps.clock`'s now, each
 * audited as the system's doing; answers how many went.
 */
export async function expireLapsed(tx: Tx, deps: Pick<RbacDeps, 'audit' | 'clock'>) {
  const { audit } = deps;
  const now = deps.clock.now();
  const system: AuditActor = { type: 'system', id: 'vigil' };
  const assignments = await store.deleteExpiredAssignments(tx, now);
  for (const a of assignments) {
    await audit(tx, {
      orgId: a.org_id,
      action: 'role.expired',
      actor: system,
      target: { type: 'user', id: a.user_id },
      details: { role: a.role_key, expiresAt: a.expires_at?.toISOString() ?? null },
    });
  }
  const requests = await store.expirePendingRequests(tx, now);
  for (const r of requests) {
    await audit(tx, {
      orgId: r.org_id,
      action: 'access_request.expired',
      actor: system,
      target: { type: 'access_request', id: r.id },
      details: { userId: r.user_id, role: r.role_key },
    });
  }
  return assignments.length + requests.length;
}
