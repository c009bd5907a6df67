import { type AuditActor, newId, parseInput, type Tx } from '../platform/index.ts';
import type { RoleDefinition } from './catalog.ts';
import type { RoleDirectory } from './directory.ts';
import { rbacErrors } from './errors.ts';
import { brokenRules, conflictRuleInputSchema, holdingsOf } from './model.ts';
import type { RbacDeps, UserPrincipal } from './principals.ts';
import * as store from './store.ts';

/** Segregation of duties: the conflict rules of an organization and who breaks them. */
export function createConflictRules(deps: RbacDeps, directory: RoleDirectory) {
  const { clock, audit } = deps;
  return {
    /** Refuses unless the assignment keeps every conflict rule of the organization. */
    async checkConflicts(tx: Tx, principal: UserPrincipal, adding: RoleDefinition) {
      const held = holdingsOf([...(await directory.rolesOfUser(tx, principal)), adding]);
      const broken = brokenRules(held, await store.conflictRules(tx, principal.orgId));
      if (broken.length > 0) {
        throw rbacErrors.conflictingRoles({
          role: adding.key,
          rules: broken.map((r) => `"${r.name}"`).join(', '),
          details: { rules: broken.map((r) => ({ id: r.id, name: r.name })) },
        });
      }
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

    /** Users who hold, right now, a combination some conflict rule forbids (the SoD report). */
    async violations(tx: Tx, orgId: string) {
      const rules = await store.conflictRules(tx, orgId);
      return [...(await directory.holdersIn(tx, orgId))].flatMap(([userId, held]) =>
        brokenRules(holdingsOf(held), rules).map((rule) => ({
          userId,
          ruleId: rule.id,
          rule: rule.name,
        })),
      );
    },
  };
}

export type ConflictRules = ReturnType<typeof createConflictRules>;
