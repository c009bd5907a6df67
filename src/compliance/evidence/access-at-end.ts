/**
 * Who had what access at the period's end, read from today's tables rolled back with the audit
 * events recorded since (docs/compliance.md#evidence-packs): each role assignment, removal and
 * expiry, each change of a user's status, each second factor enrolled or removed after `to` is
 * undone, newest first. Users are read in keyset pages, so 100,000 of them never sit in memory
 * at once; only the events after the period's end are held (what changed since, not the log).
 */
import type { Tx } from '../../platform/index.ts';
import { factorsEnrolledBefore, laterAccessEvents } from './access-at-end.store.ts';

type Status = 'active' | 'suspended' | 'deprovisioned';

/** What the events recorded after the period's end say to undo. */
export interface Rollback {
  /** `user role` → whether the user held the role at `to` (the oldest later event decides). */
  roles: Map<string, boolean>;
  /** A user's status at `to`, where it changed since. */
  status: Map<string, Status>;
  /** Factors enrolled after `to` (not there at `to`). */
  enrolledAfter: Set<string>;
  /** Factors removed after `to` that were enrolled before it, by user: kind of each. */
  removedAfter: Map<string, { id: string; kind: string }[]>;
  /** Custom roles created after `to`. */
  rolesCreatedAfter: Set<string>;
}

const rollbackActions = [
  'role.assigned',
  'role.unassigned',
  'role.expired',
  'role.created',
  'user.suspended',
  'user.reactivated',
  'user.deprovisioned',
  'mfa.factor.enrolled',
  'mfa.factor.removed',
  'mfa.factors.reset',
];

const pairOf = (userId: string, roleKey: string) => `${userId} ${roleKey}`;

/** Reads the events after `to` that change access, and what undoing them gives. */
export async function rollbackSince(tx: Tx, orgId: string, to: Date): Promise<Rollback> {
  const rows = await laterAccessEvents(tx, orgId, to, rollbackActions);
  const rollback: Rollback = {
    roles: new Map(),
    status: new Map(),
    enrolledAfter: new Set(),
    removedAfter: new Map(),
    rolesCreatedAfter: new Set(),
  };
  const removed: { userId: string; id: string; kind: string }[] = [];
  for (const e of rows) {
    const d = JSON.parse(e.details) as Record<string, unknown>;
    const user = e.target_id ?? '';
    if (e.action === 'role.assigned') rollback.roles.set(pairOf(user, String(d.role)), false);
    else if (e.action === 'role.unassigned' || e.action === 'role.expired')
      rollback.roles.set(pairOf(user, String(d.role)), true);
    else if (e.action === 'role.created') rollback.rolesCreatedAfter.add(user);
    else if (e.action.startsWith('user.')) {
      const before = (d.before as { status?: Status } | undefined)?.status;
      if (before) rollback.status.set(user, before);
    } else if (e.action === 'mfa.factor.enrolled') rollback.enrolledAfter.add(String(d.factorId));
    else if (e.action === 'mfa.factor.removed')
      removed.push({ userId: user, id: String(d.factorId), kind: String(d.kind) });
    else if (e.action === 'mfa.factors.reset')
      for (const f of (d.removed as { id: string; kind: string }[] | undefined) ?? [])
        removed.push({ userId: user, id: f.id, kind: f.kind });
  }
  // A removed factor counted at `to` only if it was confirmed by then: its enrollment event is
  // before `to` (a factor started but never confirmed has none).
  const candidates = removed.filter((r) => !rollback.enrolledAfter.has(r.id));
  if (candidates.length > 0) {
    const confirmed = await factorsEnrolledBefore(
      tx,
      orgId,
      to,
      candidates.map((c) => c.id),
    );
    const wasConfirmed = new Set(confirmed.map((c) => c.id));
    for (const r of candidates)
      if (wasConfirmed.has(r.id))
        rollback.removedAfter.set(r.userId, [
          ...(rollback.removedAfter.get(r.userId) ?? []),
          { id: r.id, kind: r.kind },
        ]);
  }
  return rollback;
}

/** A user as they were at the period's end. */
export interface UserAtEnd {
  id: string;
  email: string;
  name: string;
  status: Status;
  roles: string[];
  /** Kinds of the second factors confirmed and not removed at `to`, oldest first. */
  factors: string[];
  firstFactorAt: Date | null;
  lastSignIn: Date | null;
  created: Date;
  deactivated: Date | null;
}

const pageSize = 1000;

/**
 * Every user that existed at `to`, in id order, a page at a time: their status, roles, second
 * factors and last sign-in as of `to`.
 */
export async function* usersAtEnd(
  tx: Tx,
  orgId: string,
  to: Date,
  rollback: Rollback,
): AsyncGenerator<UserAtEnd[]> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const users = await tx
      .selectFrom('users')
      .select(['id', 'email', 'display_name', 'status', 'created_at', 'deactivated_at'])
      .where('org_id', '=', orgId)
      .where('created_at', '<', to)
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    const last = users[users.length - 1];
    if (!last) return;
    after = last.id;
    const ids = users.map((u) => u.id);
    const inPage = new Set(ids);
    const [assignments, factors, signIns] = await Promise.all([
      tx
        .selectFrom('role_assignments')
        .select(['user_id', 'role_key'])
        .where('org_id', '=', orgId)
        .where('user_id', 'in', ids)
        .execute(),
      tx
        .selectFrom('mfa_factors')
        .select(['id', 'user_id', 'kind', 'confirmed_at'])
        .where('org_id', '=', orgId)
        .where('user_id', 'in', ids)
        .where('confirmed_at', '<', to)
        .orderBy('confirmed_at')
        .execute(),
      tx
        .selectFrom('sessions')
        .select(['user_id', (eb) => eb.fn.max('created_at').as('last')])
        .where('org_id', '=', orgId)
        .where('user_id', 'in', ids)
        .where('created_at', '<', to)
        .groupBy('user_id')
        .execute(),
    ]);
    const roles = new Map<string, Set<string>>();
    for (const a of assignments) {
      if (rollback.roles.get(pairOf(a.user_id, a.role_key)) === false) continue;
      roles.set(a.user_id, (roles.get(a.user_id) ?? new Set()).add(a.role_key));
    }
    for (const [pair, held] of rollback.roles) {
      const [userId, roleKey] = pair.split(' ') as [string, string];
      if (held && inPage.has(userId))
        roles.set(userId, (roles.get(userId) ?? new Set()).add(roleKey));
    }
    const factorsOf = new Map<string, { kind: string; at: Date | null }[]>();
    for (const f of factors) {
      if (rollback.enrolledAfter.has(f.id)) continue;
      factorsOf.set(f.user_id, [
        ...(factorsOf.get(f.user_id) ?? []),
        { kind: f.kind, at: f.confirmed_at },
      ]);
    }
    const lastSignIn = new Map(signIns.map((s) => [s.user_id, new Date(s.last as Date)]));
    yield users.map((u) => {
      const status = rollback.status.get(u.id) ?? u.status;
      const own = [
        ...(factorsOf.get(u.id) ?? []),
        ...(rollback.removedAfter.get(u.id) ?? []).map((r) => ({ kind: r.kind, at: null })),
      ];
      return {
        id: u.id,
        email: u.email,
        name: u.display_name,
        status,
        roles: [...(roles.get(u.id) ?? [])].sort(),
        factors: own.map((f) => f.kind),
        firstFactorAt: own.find((f) => f.at)?.at ?? null,
        lastSignIn: lastSignIn.get(u.id) ?? null,
        created: u.created_at,
        deactivated:
          status === 'active'
            ? null
            : u.deactivated_at && u.deactivated_at < to
              ? u.deactivated_at
              : null,
      };
    });
  }
}
