import type { Tx } from '../platform/index.ts';
import type { RoleDirectory } from './directory.ts';
import { rbacErrors } from './errors.ts';
import { holdingsOf } from './model.ts';
import type { Principal, RbacDeps, UserPrincipal } from './principals.ts';

/** What a principal may do: the permission check of every admin route, and MFA by role. */
export function createDecisions(deps: Pick<RbacDeps, 'platformOrgId'>, directory: RoleDirectory) {
  /** The permissions a principal has in `targetOrgId`. */
  async function permissionsIn(
    tx: Tx,
    principal: Principal,
    targetOrgId: string,
  ): Promise<ReadonlySet<string>> {
    const platformWide = principal.orgId === deps.platformOrgId;
    // Org-scoped administrators act only on their own organization; platform permissions are
    // only ever held in the platform organization.
    if (!platformWide && principal.orgId !== targetOrgId) return new Set();
    if ('apiKeyId' in principal) return new Set(principal.permissions);
    return holdingsOf(await directory.rolesOfUser(tx, principal)).permissions;
  }

  async function can(
    tx: Tx,
    principal: Principal,
    permission: string,
    targetOrgId: string,
  ): Promise<boolean> {
    return (await permissionsIn(tx, principal, targetOrgId)).has(permission);
  }

  return {
    permissionsIn,
    can,

    /** The central check of every admin route: throws `forbidden` unless allowed. */
    async authorize(tx: Tx, principal: Principal, permission: string, targetOrgId: string) {
      if (!(await can(tx, principal, permission, targetOrgId))) {
        throw rbacErrors.forbidden({ permission });
      }
    },

    /** Whether any role the user holds asks for a second factor (`heldKeys`: see rolesOfUser). */
    async requiresMfa(
      tx: Tx,
      principal: UserPrincipal,
      heldKeys?: readonly string[],
    ): Promise<boolean> {
      return (await directory.rolesOfUser(tx, principal, heldKeys)).some((r) => r.requireMfa);
    },
  };
}

export type Decisions = ReturnType<typeof createDecisions>;
