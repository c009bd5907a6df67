import { type AuditActor, parseInput, type Tx } from '../platform/index.ts';
import type { RoleDefinition } from './catalog.ts';
import type { Decisions } from './decision.ts';
import { type CustomRole, type RoleDirectory, toRole } from './directory.ts';
import { rbacErrors } from './errors.ts';
import {
  normalized,
  type PrivilegeFlags,
  platformPermissionsIn,
  privilegeFlags,
  roleInputSchema,
  roleUpdateSchema,
} from './model.ts';
import type { Principal, RbacDeps } from './principals.ts';
import * as store from './store.ts';

/** The fields of a role an audit event shows as before and after. */
const auditedFields = (role: RoleDefinition) => ({
  name: role.name,
  description: role.description,
  purpose: role.purpose,
  permissions: role.permissions,
  privileged: role.privileged,
  requireMfa: role.requireMfa,
  requiresApproval: role.requiresApproval,
  ...('ownerUserId' in role ? { ownerUserId: role.ownerUserId } : {}),
});

/** A role's flags as its row stores them. */
const flagColumns = (flags: PrivilegeFlags) => ({
  privileged: flags.privileged,
  require_mfa: flags.requireMfa,
  requires_approval: flags.requiresApproval,
});

/** Writing custom roles: each with a documented purpose and owner, none wider than its author. */
export function createRoleEditor(
  deps: RbacDeps,
  directory: RoleDirectory,
  decisions: Pick<Decisions, 'permissionsIn'>,
) {
  const { clock, audit } = deps;

  /**
   * Refuses a role of `orgId` listing `permissionList` whose writing gives `adding` to whoever
   * holds it: platform permissions stay in the platform organization (least privilege across
   * tenants), and nobody writes a role wider than themselves (`author` null: the operator at
   * the CLI).
   */
  async function checkMayGive(
    tx: Tx,
    author: Principal | null,
    orgId: string,
    permissionList: readonly string[],
    adding: readonly string[],
  ) {
    const platformOnly = platformPermissionsIn(permissionList);
    if (orgId !== deps.platformOrgId && platformOnly.length > 0)
      throw rbacErrors.platformPermission({ permissions: platformOnly.join(', ') });
    if (!author || adding.length === 0) return;
    const held = await decisions.permissionsIn(tx, author, orgId);
    const missing = adding.filter((p) => !held.has(p));
    if (missing.length > 0)
      throw rbacErrors.permissionNotHeld({
        permissions: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'}`,
        details: { permissions: missing },
      });
  }

  /** The owner of a role is a user of the role's organization (the transaction sees only it). */
  async function checkOwner(tx: Tx, orgId: string, ownerUserId: string) {
    const owner = await deps.identity.findUser(tx, ownerUserId);
    if (owner?.orgId !== orgId)
      throw rbacErrors.ownerNotFound({
        details: { errors: [{ path: 'ownerUserId', message: 'no user with this id here' }] },
      });
  }

  return {
    /**
     * A custom role of `orgId`. `author`: who writes it (null: the operator at the CLI), who must
     * hold every permission the role gives.
     */
    async createRole(
      tx: Tx,
      orgId: string,
      input: unknown,
      author: Principal | null,
      actor: AuditActor,
    ): Promise<CustomRole> {
      const data = parseInput(roleInputSchema, input, rbacErrors.roleInvalid);
      const permissionList = normalized(data.permissions);
      await checkMayGive(tx, author, orgId, permissionList, permissionList);
      const flags = privilegeFlags(permissionList, data);
      await checkOwner(tx, orgId, data.ownerUserId);
      if ((await directory.rolesOf(tx, orgId)).some((r) => r.key === data.key))
        throw rbacErrors.roleExists({ key: data.key });
      const now = clock.now();
      const row: store.RoleRow = {
        org_id: orgId,
        key: data.key,
        name: data.name,
        description: data.description,
        purpose: data.purpose,
        permissions: permissionList,
        owner_user_id: data.ownerUserId,
        ...flagColumns(flags),
        version: 1,
        created_at: now,
        updated_at: now,
      };
      await store.insertRole(tx, row);
      const role = toRole(row);
      await audit(tx, {
        orgId,
        action: 'role.created',
        actor,
        target: { type: 'role', id: role.key },
        details: { version: 1, after: auditedFields(role) },
      });
      return role;
    },

    /**
     * Changes a custom role; `expectedVersion` (If-Match) refuses a stale update. The author
     * must hold every permission the change adds.
     */
    async updateRole(
      tx: Tx,
      orgId: string,
      key: string,
      input: unknown,
      author: Principal | null,
      actor: AuditActor,
      expectedVersion?: number,
    ): Promise<CustomRole> {
      const changes = parseInput(roleUpdateSchema, input, rbacErrors.roleInvalid);
      const row = await store.customRole(tx, orgId, key);
      if (!row) throw rbacErrors.roleNotFound({ key });
      if (expectedVersion !== undefined && expectedVersion !== row.version)
        throw rbacErrors.roleStale({ version: row.version });
      const before = toRole(row);
      const permissionList = changes.permissions
        ? normalized(changes.permissions)
        : before.permissions;
      const adding = permissionList.filter((p) => !before.permissions.includes(p));
      await checkMayGive(tx, author, orgId, permissionList, adding);
      const flags = privilegeFlags(permissionList, changes, before);
      if (changes.ownerUserId) await checkOwner(tx, orgId, changes.ownerUserId);
      const merged = { ...before, ...changes };
      const next: store.RoleRow = {
        ...row,
        name: merged.name,
        description: merged.description,
        purpose: merged.purpose,
        permissions: permissionList,
        owner_user_id: merged.ownerUserId,
        ...flagColumns(flags),
        version: row.version + 1,
        updated_at: clock.now(),
      };
      await store.updateRole(tx, next);
      const after = toRole(next);
      await audit(tx, {
        orgId,
        action: 'role.updated',
        actor,
        target: { type: 'role', id: key },
        details: {
          version: next.version,
          before: auditedFields(before),
          after: auditedFields(after),
        },
      });
      return after;
    },
  };
}
