import {
  type CheckContext,
  type CheckOutcome,
  type ControlException,
  verdict,
} from '../control.ts';
import { selfApprovedRequests } from './access.store.ts';
import { byText, counted, spoken } from './access-text.ts';

/**
 * Nobody holds a combination a conflict rule forbids, and no access request was approved by the
 * person it was for or who asked for it. rbac refuses both; this finds what got around it (rows
 * written directly, rules added after the assignments).
 */
export async function checkSegregationOfDuties(ctx: CheckContext): Promise<CheckOutcome> {
  const { tx, orgId, sources } = ctx;
  const [rules, violations, users] = [
    await sources.access.conflictRules(tx, orgId),
    await sources.access.conflictViolations(tx, orgId),
    await sources.access.usersOf(tx, orgId),
  ];
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  const emailOf = new Map(users.map((u) => [u.id, u.email]));
  const conflicts: ControlException[] = violations
    .flatMap((v) => {
      const rule = ruleById.get(v.ruleId);
      if (!rule) return [];
      const held = [
        ...(rule.roles.length > 0 ? [`roles ${spoken([...rule.roles].sort())}`] : []),
        ...(rule.permissions.length > 0
          ? [`permissions ${spoken([...rule.permissions].sort())}`]
          : []),
      ];
      const email = emailOf.get(v.userId) ?? v.userId;
      return [
        {
          sortKey: `${email} ${rule.name} ${rule.id}`,
          message: `${email} holds ${held.join(' with ')} together, which conflict rule "${rule.name}" forbids`,
          subject: { type: 'user', id: v.userId },
        },
      ];
    })
    .sort(byText((e) => e.sortKey))
    .map(({ message, subject }) => ({ message, subject }));
  const selfApproved: ControlException[] = (await selfApprovedRequests(tx, orgId)).map((r) => ({
    message: `access request of ${r.email} for ${r.role_key} was approved by its ${r.decided_by === r.user_id ? 'beneficiary' : 'requester'}`,
    subject: { type: 'access_request', id: r.id },
  }));
  const ruleCount = counted(rules.length, 'conflict rule');
  return verdict([...conflicts, ...selfApproved], {
    pass:
      rules.length === 0
        ? 'No conflict rule is defined, and no access request was approved by its requester or beneficiary'
        : `Nobody breaks the ${ruleCount}, and no access request was approved by its requester or beneficiary`,
    fail: () =>
      [
        conflicts.length > 0
          ? `${counted(conflicts.length, 'conflict rule breach', 'conflict rule breaches')} of the ${ruleCount}`
          : null,
        selfApproved.length > 0
          ? `${counted(selfApproved.length, 'self-approved access request')}`
          : null,
      ]
        .filter((p) => p !== null)
        .join('; '),
  });
}
