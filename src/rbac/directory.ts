import type { Tx } from '../platform/index.ts';
import { builtInRoleKeys, builtInRoles, type RoleDefinition } from './catalog.ts';
import { rbacErrors } from './errors.ts';
import { privilegeFlags } from './model.ts';
import type { RbacDeps, UserPrincipal } from './principals.ts';
import * as store from './store.ts';

export interface CustomRole extends RoleDefinition {
  orgId: string;
  ownerUserId: string;
  version: number;
}

export function toRole(row: store.RoleRow): CustomRole {
  const stored = {
    privileged: row.privileged,
    requireMfa: row.require_mfa,
    requiresApproval: row.requires_approval,
  };
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    purpose: row.purpose,
    permissions: row.permissions,
    // A row stored with lower flags than its permissions demand (before they were enforced)
    // counts as privileged all the same.
    ...privilegeFlags(row.permissions, {}, stored),
    builtIn: false,
    platformOnly: false,
    orgId: row.org_id,
    ownerUserId: row.owner_user_id,
    version: row.version,
  };
}

/** The roles of an organization (built-in and custom) and who holds which, read-only. */
export function createRoleDirectory(deps: Pick<RbacDeps, 'clock' | 'platformOrgId'>) {
  const { clock } = deps;
  const builtInsFor = (orgId: string) =>
    builtInRoles.filter((r) => !r.platformOnly || orgId === deps.platformOrgId);

  async function rolesOf(tx: Tx, orgId: string): Promise<RoleDefinition[]> {
    return [...builtInsFor(orgId), ...(await store.customRoles(tx, orgId)).map(toRole)];
  }

  return {
    rolesOf,

    async findRole(tx: Tx, orgId: string, key: string): Promise<RoleDefinition> {
      const role = (await rolesOf(tx, orgId)).find((r) => r.key === key);
      if (!role) throw rbacErrors.roleNotFound({ key });
      return role;
    },

    /**
     * The roles a user holds now (see store.heldRoleKeysOf). `heldKeys`: those keys, when the
     * caller read them already.
     */
    async rolesOfUser(
      tx: Tx,
      principal: UserPrincipal,
      heldKeys?: readonly string[],
    ): Promise<RoleDefinition[]> {
      const keys = heldKeys ?? (await store.heldRoleKeysOf(tx, principal.userId, clock.now()));
      if (keys.length === 0) return [];
      // Custom roles are read only when the user holds one (sign-in asks this for everyone).
      const roles = keys.every((k) => builtInRoleKeys.has(k))
        ? builtInsFor(principal.orgId)
        : await rolesOf(tx, principal.orgId);
      return roles.filter((r) => keys.includes(r.key));
    },

    /** The roles each user of an organization holds now, by user id. */
    async holdersIn(tx: Tx, orgId: string): Promise<Map<string, RoleDefinition[]>> {
      const roles = await rolesOf(tx, orgId);
      const now = clock.now();
      const byUser = new Map<string, RoleDefinition[]>();
      for (const a of await store.assignmentsOfOrg(tx, orgId)) {
        const role = roles.find((r) => r.key === a.role_key);
        if (!role || (a.expires_at && a.expires_at <= now)) continue;
        byUser.set(a.user_id, [...(byUser.get(a.user_id) ?? []), role]);
      }
      return byUser;
    },
  };
}

export type RoleDirectory = ReturnType<typeof createRoleDirectory>;
