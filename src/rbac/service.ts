import type { IdentityService } from '../identity/index.ts';
import {
  type AuditActor,
  type AuditEventInput,
  type AuditWriter,
  type Clock,
  type Database,
  newId,
  parseInput,
  type Tx,
  withPlatform,
} from '../platform/index.ts';
import { builtInRoleKeys, builtInRoles, permissions, type RoleDefinition } from './catalog.ts';
import { rbacErrors } from './errors.ts';
import {
  approvalRefusal,
  brokenRules,
  conflictRuleInputSchema,
  holdingsOf,
  normalized,
  platformPermissionsIn,
  privilegeFlags,
  roleInputSchema,
  roleUpdateSchema,
} from './model.ts';
import * as store from './store.ts';

export interface RbacDeps {
  identity: IdentityService;
  audit: AuditWriter;
  clock: Clock;
  platformOrgId: string;
  /** How long an access request waits for a decision. */
  requestTtlDays: number;
}

/** A user of an organization acting (an operator at the CLI is not subject to roles). */
export interface UserPrincipal {
  userId: string;
  orgId: string;
}

/** An API key acting: its organization and its own permissions (docs/access-control.md). */
export interface KeyPrincipal {
  apiKeyId: string;
  orgId: string;
  permissions: string[];
  /** The user who made it (null: the operator), on whose behalf it acts. */
  createdBy: string | null;
}

/** Who acts on an admin route. */
export type Principal = UserPrincipal | KeyPrincipal;

/** The person behind a principal: the user, or the user who made the key (null: the operator). */
const personOf = (principal: Principal): string | null =>
  'apiKeyId' in principal ? principal.createdBy : principal.userId;

export interface CustomRole extends RoleDefinition {
  orgId: string;
  ownerUserId: string;
  version: number;
}

function toRole(row: store.RoleRow): CustomRole {
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

/**
 * Roles, assignments and segregation of duties (docs/access-control.md): the permission check
 * every admin route goes through, custom roles with a documented purpose, assignments that
 * expire, conflict rules and access requests approved by someone else.
 */
export function createRbac(deps: RbacDeps) {
  const { clock, audit } = deps;
  const builtInsFor = (orgId: string) =>
    builtInRoles.filter((r) => !r.platformOnly || orgId === deps.platformOrgId);

  async function rolesOf(tx: Tx, orgId: string): Promise<RoleDefinition[]> {
    return [...builtInsFor(orgId), ...(await store.customRoles(tx, orgId)).map(toRole)];
  }

  async function findRole(tx: Tx, orgId: string, key: string): Promise<RoleDefinition> {
    const role = (await rolesOf(tx, orgId)).find((r) => r.key === key);
    if (!role) throw rbacErrors.roleNotFound({ key });
    return role;
  }

  /**
   * The roles a user holds now (see store.heldRoleKeysOf). `heldKeys`: those keys, when the caller
   * read them already.
   */
  async function rolesOfUser(
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
  }

  /** The roles each user of an organization holds now, by user id. */
  async function holdersIn(tx: Tx, orgId: string): Promise<Map<string, RoleDefinition[]>> {
    const roles = await rolesOf(tx, orgId);
    const now = clock.now();
    const byUser = new Map<string, RoleDefinition[]>();
    for (const a of await store.assignmentsOfOrg(tx, orgId)) {
      const role = roles.find((r) => r.key === a.role_key);
      if (!role || (a.expires_at && a.expires_at <= now)) continue;
      byUser.set(a.user_id, [...(byUser.get(a.user_id) ?? []), role]);
    }
    return byUser;
  }

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
    return holdingsOf(await rolesOfUser(tx, principal)).permissions;
  }

  async function can(
    tx: Tx,
    principal: Principal,
    permission: string,
    targetOrgId: string,
  ): Promise<boolean> {
    return (await permissionsIn(tx, principal, targetOrgId)).has(permission);
  }

  /**
   * Refuses a role that would give `adding` to whoever holds it, unless the author holds each of
   * them: nobody writes a role wider than themselves (`author` null: the operator at the CLI).
   */
  async function checkAuthorHolds(
    tx: Tx,
    author: Principal | null,
    orgId: string,
    adding: readonly string[],
  ) {
    if (!author || adding.length === 0) return;
    const held = await permissionsIn(tx, author, orgId);
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

  /** Platform permissions stay in the platform organization (least privilege across tenants). */
  function checkPlatformPermissions(orgId: string, permissionList: readonly string[]) {
    const platformOnly = platformPermissionsIn(permissionList);
    if (orgId !== deps.platformOrgId && platformOnly.length > 0)
      throw rbacErrors.platformPermission({ permissions: platformOnly.join(', ') });
  }

  /** Refuses unless the assignment keeps every conflict rule of the organization. */
  async function checkConflicts(tx: Tx, principal: UserPrincipal, adding: RoleDefinition) {
    const held = holdingsOf([...(await rolesOfUser(tx, principal)), adding]);
    const broken = brokenRules(held, await store.conflictRules(tx, principal.orgId));
    if (broken.length > 0) {
      throw rbacErrors.conflictingRoles({
        role: adding.key,
        rules: broken.map((r) => `"${r.name}"`).join(', '),
        details: { rules: broken.map((r) => ({ id: r.id, name: r.name })) },
      });
    }
  }

  async function grant(
    tx: Tx,
    input: AssignInput,
    role: RoleDefinition,
    grantedBy: string | null,
    actor: AuditActor,
    approval?: string,
  ) {
    await checkConflicts(tx, { userId: input.userId, orgId: input.orgId }, role);
    const inserted = await store.insertAssignment(tx, {
      org_id: input.orgId,
      user_id: input.userId,
      role_key: role.key,
      granted_by: grantedBy,
      reason: input.reason,
      granted_at: clock.now(),
      expires_at: input.expiresAt ?? null,
    });
    if (!inserted) throw rbacErrors.alreadyAssigned({ role: role.key });
    await audit(tx, {
      orgId: input.orgId,
      action: 'role.assigned',
      actor,
      target: { type: 'user', id: input.userId },
      details: {
        role: role.key,
        reason: input.reason,
        expiresAt: input.expiresAt?.toISOString() ?? null,
        privileged: role.privileged,
        approval: approval ?? (role.requiresApproval ? 'operator' : 'not required'),
      },
    });
  }

  /** What a grant and a request both need: a reason, a future expiry, an active user, a role. */
  async function requestable(tx: Tx, input: AssignInput): Promise<RoleDefinition> {
    if (!input.reason.trim()) throw rbacErrors.reasonRequired();
    if (input.expiresAt && input.expiresAt <= clock.now()) throw rbacErrors.expiryPast();
    const user = await deps.identity.findUser(tx, input.userId);
    if (user?.orgId !== input.orgId || user.status !== 'active') throw rbacErrors.userNotFound();
    return findRole(tx, input.orgId, input.roleKey);
  }

  /** A pending request for the role; it expires unless someone else approves it in time. */
  async function openRequest(
    tx: Tx,
    input: AssignInput,
    role: RoleDefinition,
    requester: UserPrincipal | null,
    actor: AuditActor,
  ): Promise<{ status: 'pending'; requestId: string }> {
    // Refused now rather than at approval, so the requester hears at once.
    await checkConflicts(tx, { userId: input.userId, orgId: input.orgId }, role);
    const now = clock.now();
    const id = newId(now.getTime());
    await store.insertRequest(tx, {
      id,
      org_id: input.orgId,
      user_id: input.userId,
      role_key: role.key,
      requested_by: requester?.userId ?? null,
      reason: input.reason,
      assignment_expires_at: input.expiresAt ?? null,
      status: 'pending',
      decided_by: null,
      decided_at: null,
      decision_note: null,
      created_at: now,
      expires_at: new Date(now.getTime() + deps.requestTtlDays * 86_400_000),
    });
    await audit(tx, {
      orgId: input.orgId,
      action: 'access_request.created',
      actor,
      target: { type: 'access_request', id },
      details: { userId: input.userId, role: role.key, reason: input.reason },
    });
    return { status: 'pending', requestId: id };
  }

  async function unassign(
    tx: Tx,
    orgId: string,
    userId: string,
    roleKey: string,
    reason: string,
    actor: AuditActor,
  ): Promise<void> {
    const removed = await store.deleteAssignment(tx, userId, roleKey);
    if (!removed || removed.org_id !== orgId) throw rbacErrors.notAssigned({ role: roleKey });
    await audit(tx, unassigned(removed, reason, actor));
  }

  const unassigned = (
    removed: store.AssignmentRow,
    reason: string,
    actor: AuditActor,
  ): AuditEventInput => ({
    orgId: removed.org_id,
    action: 'role.unassigned',
    actor,
    target: { type: 'user', id: removed.user_id },
    details: { role: removed.role_key, reason, grantedAt: removed.granted_at.toISOString() },
  });

  return {
    permissions,
    rolesOf,
    rolesOfUser,
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
      return (await rolesOfUser(tx, principal, heldKeys)).some((r) => r.requireMfa);
    },

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
      checkPlatformPermissions(orgId, permissionList);
      await checkAuthorHolds(tx, author, orgId, permissionList);
      const flags = privilegeFlags(permissionList, data);
      await checkOwner(tx, orgId, data.ownerUserId);
      if ((await rolesOf(tx, orgId)).some((r) => r.key === data.key))
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
        privileged: flags.privileged,
        require_mfa: flags.requireMfa,
        requires_approval: flags.requiresApproval,
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
      checkPlatformPermissions(orgId, permissionList);
      const adding = permissionList.filter((p) => !before.permissions.includes(p));
      await checkAuthorHolds(tx, author, orgId, adding);
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
        privileged: flags.privileged,
        require_mfa: flags.requireMfa,
        requires_approval: flags.requiresApproval,
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

    /**
     * Gives a user a role. A role that requires approval becomes an access request instead,
     * which takes effect only when someone else approves it. Never to the requester themselves:
     * they ask for it (`requestAccess`).
     */
    async assign(
      tx: Tx,
      input: AssignInput,
      requester: Principal | null,
      actor: AuditActor,
    ): Promise<{ status: 'assigned' } | { status: 'pending'; requestId: string }> {
      // A key acts for the user who made it: it neither grants them roles nor lets them approve
      // what it asked for.
      const person = requester && personOf(requester);
      const onBehalfOf = person ? { userId: person, orgId: requester.orgId } : null;
      if (person === input.userId) throw rbacErrors.selfAssignment();
      const role = await requestable(tx, input);
      // The operator at the CLI (say, an organization's first owner) is the one exception,
      // audited as such: nobody else could approve yet.
      if (role.requiresApproval && actor.type !== 'operator')
        return openRequest(tx, input, role, onBehalfOf, actor);
      await grant(tx, input, role, person, actor);
      return { status: 'assigned' };
    },

    /**
     * A user asks for a role for themselves: always a request, whatever the role, since nobody
     * grants themselves access. Someone else approves it (`decide`).
     */
    async requestAccess(
      tx: Tx,
      input: Omit<AssignInput, 'userId' | 'orgId'>,
      requester: UserPrincipal,
      actor: AuditActor,
    ): Promise<{ status: 'pending'; requestId: string }> {
      const full = { ...input, userId: requester.userId, orgId: requester.orgId };
      const role = await requestable(tx, full);
      if (
        (await store.assignmentsOfUser(tx, requester.userId)).some((a) => a.role_key === role.key)
      )
        throw rbacErrors.alreadyAssigned({ role: role.key });
      return openRequest(tx, full, role, requester, actor);
    },

    unassign,

    /** Every role of a user goes (deprovisioning: access ends for good), each removal audited. */
    async unassignAll(tx: Tx, userId: string, reason: string, actor: AuditActor) {
      const removed = await store.deleteAssignmentsOfUser(tx, userId);
      for (const row of removed) await audit(tx, unassigned(row, reason, actor));
      return removed.length;
    },

    /**
     * Approves or denies a pending request; segregation of duties is checked either way. A
     * refusal is answered (not thrown) so that its audit event commits.
     */
    async decide(
      tx: Tx,
      requestId: string,
      decision: 'approved' | 'denied',
      approver: UserPrincipal,
      note: string,
      actor: AuditActor,
    ): Promise<{ status: 'approved' | 'denied' } | { status: 'refused'; reason: string }> {
      const request = await store.requestForUpdate(tx, requestId);
      const reaches = request?.org_id === approver.orgId || approver.orgId === deps.platformOrgId;
      if (!request || !reaches) throw rbacErrors.requestNotFound();
      const now = clock.now();
      if (request.status !== 'pending' || request.expires_at <= now)
        throw rbacErrors.requestClosed({ status: request.status });
      const refusal = approvalRefusal(
        { userId: request.user_id, requestedBy: request.requested_by },
        approver.userId,
        holdingsOf(await rolesOfUser(tx, approver)),
      );
      if (refusal) {
        await audit(tx, {
          orgId: request.org_id,
          action: 'access_request.refused',
          outcome: 'denied',
          actor,
          target: { type: 'access_request', id: requestId },
          details: { reason: refusal },
        });
        return { status: 'refused', reason: refusal };
      }
      if (decision === 'approved') {
        const role = await findRole(tx, request.org_id, request.role_key);
        await grant(
          tx,
          {
            orgId: request.org_id,
            userId: request.user_id,
            roleKey: role.key,
            reason: request.reason,
            expiresAt: request.assignment_expires_at ?? undefined,
          },
          role,
          approver.userId,
          actor,
          requestId,
        );
      }
      await store.decideRequest(tx, requestId, {
        status: decision,
        decided_by: approver.userId,
        decided_at: now,
        decision_note: note,
      });
      await audit(tx, {
        orgId: request.org_id,
        action: `access_request.${decision}`,
        actor,
        target: { type: 'access_request', id: requestId },
        details: { userId: request.user_id, role: request.role_key, note },
      });
      return { status: decision };
    },

    pendingRequests: store.pendingRequests,

    /** Every assignment of an organization, expired ones included until swept. */
    async assignmentsIn(tx: Tx, orgId: string) {
      return (await store.assignmentsOfOrg(tx, orgId)).map((a) => ({
        userId: a.user_id,
        roleKey: a.role_key,
        grantedBy: a.granted_by,
        reason: a.reason,
        grantedAt: a.granted_at,
        expiresAt: a.expires_at,
      }));
    },

    conflictRules: store.conflictRules,

    async addConflictRule(tx: Tx, orgId: string, input: unknown, actor: AuditActor) {
      const data = parseInput(conflictRuleInputSchema, input, rbacErrors.ruleInvalid);
      const now = clock.now();
      const row: store.ConflictRuleRow = {
        id: newId(now.getTime()),
        org_id: orgId,
        name: data.name,
        description: data.description,
        roles: [...new Set(data.roles)],
        permissions: [...new Set(data.permissions)],
        created_by: actor.type === 'user' ? (actor.id ?? null) : null,
        created_at: now,
      };
      await store.insertConflictRule(tx, row);
      await audit(tx, {
        orgId,
        action: 'conflict_rule.created',
        actor,
        target: { type: 'conflict_rule', id: row.id },
        details: { after: { name: row.name, roles: row.roles, permissions: row.permissions } },
      });
      return row;
    },

    async removeConflictRule(tx: Tx, orgId: string, id: string, actor: AuditActor) {
      const removed = await store.deleteConflictRule(tx, id);
      if (!removed || removed.org_id !== orgId) throw rbacErrors.ruleNotFound();
      await audit(tx, {
        orgId,
        action: 'conflict_rule.deleted',
        actor,
        target: { type: 'conflict_rule', id },
        details: {
          before: { name: removed.name, roles: removed.roles, permissions: removed.permissions },
        },
      });
    },

    holdersIn,

    /** Users who hold, right now, a combination some conflict rule forbids (the SoD report). */
    async violations(tx: Tx, orgId: string) {
      const rules = await store.conflictRules(tx, orgId);
      return [...(await holdersIn(tx, orgId))].flatMap(([userId, held]) =>
        brokenRules(holdingsOf(held), rules).map((rule) => ({
          userId,
          ruleId: rule.id,
          rule: rule.name,
        })),
      );
    },

    /** Removes expired assignments and closes expired requests, each audited (housekeeping). */
    async sweep(database: Database): Promise<number> {
      return withPlatform(database, async (tx) => {
        const now = clock.now();
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
      });
    },
  };
}

export interface AssignInput {
  orgId: string;
  userId: string;
  roleKey: string;
  reason: string;
  expiresAt?: Date;
}

export type Rbac = ReturnType<typeof createRbac>;
