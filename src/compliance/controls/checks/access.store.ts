import type { Tx } from '../../../platform/index.ts';

/**
 * Users still active at `now` although their scheduled end of employment has passed (the
 * lifecycle schedule should have deprovisioned them), earliest end date first.
 */
export function activeUsersPastEndDate(tx: Tx, orgId: string, now: Date) {
  return tx
    .selectFrom('users')
    .select(['id', 'email', 'end_at'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .where('end_at', '<=', now)
    .orderBy('end_at')
    .orderBy('email')
    .$narrowType<{ end_at: Date }>()
    .execute();
}

/**
 * Approved access requests decided by their beneficiary or their requester: rbac refuses both
 * (approvalRefusal), so any row here was written around it. Oldest decision first.
 */
export function selfApprovedRequests(tx: Tx, orgId: string) {
  return tx
    .selectFrom('access_requests as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.id', 'r.role_key', 'r.user_id', 'r.requested_by', 'r.decided_by', 'u.email'])
    .where('r.org_id', '=', orgId)
    .where('r.status', '=', 'approved')
    .where((eb) =>
      eb.or([
        eb('r.decided_by', '=', eb.ref('r.user_id')),
        eb('r.decided_by', '=', eb.ref('r.requested_by')),
      ]),
    )
    .orderBy('r.decided_at')
    .orderBy('r.id')
    .execute();
}
