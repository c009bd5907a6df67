import { z } from 'zod';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  isAppError,
  orgScopeRunner,
  parseInput,
  type Tx,
} from '../platform/index.ts';
import type { Rbac, UserGrants } from '../rbac/index.ts';
import { scimErrors } from './errors.ts';
import * as store from './group-roles.store.ts';

export interface GroupRolesDeps {
  audit: AuditWriter;
  clock: Clock;
  database: Database;
  rbac: Pick<Rbac, 'assign' | 'unassign' | 'grantsOfUsers' | 'withdrawRequests' | 'rolesOf'>;
  platformOrgId: string;
}

/** A pushed group as its organization's administrators see it: members and mapped roles. */
export interface MappedGroup {
  id: string;
  displayName: string;
  externalId: string | null;
  members: number;
  roleKeys: string[];
}

/** What one sync did, for the caller's answer and the tests. */
export interface SyncOutcome {
  assigned: number;
  requested: number;
  removed: number;
  withdrawn: number;
  refused: number;
}

const noChange = (): SyncOutcome => ({
  assigned: 0,
  requested: 0,
  removed: 0,
  withdrawn: 0,
  refused: 0,
});

const roleKeysSchema = z.array(z.string().trim().min(1).max(100)).max(50);

/** Refusals of rbac's normal rules that a sync records instead of failing the directory's call. */
const refusalCodes = new Set(['rbac.conflicting_roles', 'rbac.role_not_found']);

const toGroup = (row: store.MappedGroupRow): MappedGroup => ({
  id: row.id,
  displayName: row.display_name,
  externalId: row.external_id,
  members: row.members,
  roleKeys: row.role_keys,
});

const groupsPhrase = (names: readonly string[]) =>
  `SCIM group${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')}`;

/**
 * SCIM groups mapped to roles (docs/scim.md#groups-and-roles): a member of a mapped group holds
 * its roles while active, granted through rbac's normal rules with source `scim` (conflict rules;
 * a role that requires approval becomes an access request that says which group asked). What the
 * directory granted follows membership; what an administrator granted is never touched.
 */
export function createGroupRoles(deps: GroupRolesDeps) {
  const { audit, clock, rbac } = deps;
  const inOrgScope = orgScopeRunner(deps.database, deps.platformOrgId);

  /** The roles `userId` should hold from SCIM, with the groups that map each. */
  function desiredRoles(active: boolean, mapped: { role_key: string; display_name: string }[]) {
    const desired = new Map<string, string[]>();
    if (!active) return desired;
    for (const m of mapped)
      desired.set(m.role_key, [...(desired.get(m.role_key) ?? []), m.display_name]);
    return desired;
  }

  /** Grants `roleKey` from SCIM, or records why rbac's rules refused it. */
  async function grantFromScim(
    tx: Tx,
    orgId: string,
    userId: string,
    roleKey: string,
    groups: string[],
    actor: AuditActor,
  ): Promise<'assigned' | 'requested' | 'refused' | 'held'> {
    const reason = `Member of ${groupsPhrase(groups)}`;
    try {
      const input = { orgId, userId, roleKey, reason, source: 'scim' as const };
      const outcome = await rbac.assign(tx, input, null, actor);
      return outcome.status === 'assigned' ? 'assigned' : 'requested';
    } catch (err) {
      // A concurrent sync of the same user (directories send requests in parallel) committed the
      // assignment first, or an expired one awaits the sweep: the user holds the role already.
      if (isAppError(err) && err.code === 'rbac.already_assigned') return 'held';
      // Refused before any write (rbac checks first), so the transaction goes on: the membership
      // stands, the role is not granted, and the audit log says why.
      if (!isAppError(err) || !refusalCodes.has(err.code)) throw err;
      await audit(tx, {
        orgId,
        action: 'scim.group.role_refused',
        outcome: 'denied',
        actor,
        target: { type: 'user', id: userId },
        details: { role: roleKey, groups, refusal: err.code, reason: err.message, ...err.details },
      });
      return 'refused';
    }
  }

  /** One user's SCIM grants brought in line with `desired`. */
  async function syncUser(
    tx: Tx,
    orgId: string,
    userId: string,
    desired: Map<string, string[]>,
    grants: UserGrants,
    actor: AuditActor,
    outcome: SyncOutcome,
  ) {
    for (const held of grants.held) {
      if (held.source !== 'scim' || desired.has(held.roleKey)) continue;
      const reason = 'SCIM: no group of the user maps to this role any more';
      try {
        await rbac.unassign(tx, orgId, userId, held.roleKey, reason, actor);
        outcome.removed++;
      } catch (err) {
        // A concurrent sync removed it first (rbac found no row: nothing was written).
        if (!isAppError(err) || err.code !== 'rbac.not_assigned') throw err;
      }
    }
    const stale = grants.pending.filter((r) => r.source === 'scim' && !desired.has(r.roleKey));
    outcome.withdrawn += await rbac.withdrawRequests(
      tx,
      stale.map((r) => r.requestId),
      'SCIM: no group of the user maps to this role any more',
      actor,
    );
    for (const [roleKey, groups] of desired) {
      // Held or asked for already, from any source: an administrator's grant stays theirs.
      if (grants.held.some((h) => h.roleKey === roleKey)) continue;
      if (grants.pending.some((r) => r.roleKey === roleKey)) continue;
      const result = await grantFromScim(tx, orgId, userId, roleKey, groups, actor);
      if (result !== 'held') outcome[result]++;
    }
  }

  /**
   * Brings the SCIM-granted roles of these users in line with their groups' mappings: an active
   * user holds the union of the roles their groups map to; a suspended or deprovisioned one none.
   * Runs in the caller's transaction (a membership change, a mapping change, a reactivation).
   */
  async function syncUsers(
    tx: Tx,
    orgId: string,
    userIds: readonly string[],
    actor: AuditActor,
  ): Promise<SyncOutcome> {
    const outcome = noChange();
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return outcome;
    const users = await store.statusesOf(tx, orgId, ids);
    const mapped = await store.mappedRolesOf(tx, orgId, ids);
    const grants = await rbac.grantsOfUsers(
      tx,
      users.map((u) => u.id),
    );
    for (const user of users) {
      const desired = desiredRoles(
        user.status === 'active',
        mapped.filter((m) => m.user_id === user.id),
      );
      const held = grants.get(user.id) ?? { held: [], pending: [] };
      await syncUser(tx, orgId, user.id, desired, held, actor, outcome);
    }
    return outcome;
  }

  const groupRoles = {
    syncUsers,

    listGroups: async (tx: Tx, orgId: string): Promise<MappedGroup[]> =>
      (await store.groupsOf(tx, orgId)).map(toGroup),

    /**
     * Replaces the roles a group maps to (an empty list clears them), audited with the keys
     * before and after, and syncs every member at once.
     */
    async setGroupRoles(
      tx: Tx,
      orgId: string,
      groupId: string,
      input: unknown,
      actor: AuditActor,
    ): Promise<{ group: MappedGroup; sync: SyncOutcome }> {
      const keys = parseInput(roleKeysSchema, input, (p) =>
        scimErrors.groupRolesInvalid({
          ...p,
          field: `roleKeys${p.field === 'input' ? '' : `.${p.field}`}`,
        }),
      );
      const group = await store.groupForUpdate(tx, orgId, groupId);
      if (!group) throw scimErrors.groupNotFound({ id: groupId });
      const known = new Set((await rbac.rolesOf(tx, orgId)).map((r) => r.key));
      const unknown = keys.find((k) => !known.has(k));
      if (unknown !== undefined)
        throw scimErrors.groupRolesInvalid({
          field: 'roleKeys',
          problem: `${unknown} is not a role of the organization`,
        });
      const after = [...new Set(keys)].sort();
      const before = await store.roleKeysOf(tx, groupId);
      const members = await store.memberIdsOf(tx, groupId);
      let sync = noChange();
      if (before.join('\n') !== after.join('\n')) {
        const by = actor.type === 'user' ? (actor.id ?? null) : null;
        await store.replaceRoleKeys(tx, { orgId, groupId, roleKeys: after, by, at: clock.now() });
        await audit(tx, {
          orgId,
          action: 'scim.group.roles_changed',
          actor,
          target: { type: 'scim_group', id: groupId },
          details: { displayName: group.display_name, before, after },
        });
        sync = await syncUsers(tx, orgId, members, actor);
      }
      const mapped: MappedGroup = {
        id: group.id,
        displayName: group.display_name,
        externalId: group.external_id,
        members: members.length,
        roleKeys: after,
      };
      return { group: mapped, sync };
    },
  };

  return {
    ...groupRoles,
    /** `listGroups` in the organization's own transaction (the CLI). */
    listGroupsInOrg: (orgId: string) => inOrgScope(orgId, (tx) => groupRoles.listGroups(tx, orgId)),
    /** `setGroupRoles` in the organization's own transaction (the CLI). */
    setGroupRolesInOrg: (orgId: string, groupId: string, roleKeys: unknown, actor: AuditActor) =>
      inOrgScope(orgId, (tx) => groupRoles.setGroupRoles(tx, orgId, groupId, roleKeys, actor)),
  };
}

export type GroupRoles = ReturnType<typeof createGroupRoles>;
