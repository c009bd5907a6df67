import type { EventRule } from '../rule.ts';
import { actorKey, findingOf, noThresholds } from './shared.ts';

/** The reasons rbac records when someone tried to decide their own access request. */
const selfDecisions = [
  'the beneficiary cannot approve their own access',
  'the requester cannot approve their own request',
];

/**
 * Privilege granted or asked for: a privileged role assigned (role.assigned records whether the
 * role was privileged), or an access request opened for one (its details name only the role, so
 * the rule asks the directory).
 */
export const privilegedRoleGranted: EventRule<Record<string, never>> = {
  key: 'role.privileged_granted',
  name: 'Privileged role granted or requested',
  description:
    'A privileged role was given to a user, or requested for one: privilege escalation is what an attacker with a foothold tries first, and what an auditor asks to see reviewed.',
  defaultSeverity: 'high',
  defaultThresholds: {},
  thresholdSchema: noThresholds,
  actions: ['role.assigned', 'access_request.created'],
  windowed: false,
  async evaluate(ctx, events) {
    const findings = [];
    for (const { event } of events) {
      const role = typeof event.details.role === 'string' ? event.details.role : null;
      if (!role) continue;
      if (event.action === 'role.assigned') {
        const userId = event.target.id;
        if (event.details.privileged !== true || !userId) continue;
        findings.push(
          findingOf(event, {
            dedupKey: `user:${userId}`,
            title: `Privileged role ${role} granted`,
            subjectUserId: userId,
            details: {
              userId,
              role,
              grantedBy: actorKey(event),
              approval: event.details.approval ?? null,
              source: event.details.source ?? null,
              reason: event.details.reason ?? null,
            },
          }),
        );
        continue;
      }
      const userId = typeof event.details.userId === 'string' ? event.details.userId : null;
      if (!userId || !ctx.directory) continue;
      if (!(await ctx.directory.isPrivilegedRole(ctx.tx, event.orgId, role))) continue;
      findings.push(
        findingOf(event, {
          dedupKey: `user:${userId}`,
          title: `Privileged role ${role} requested`,
          subjectUserId: userId,
          details: {
            userId,
            role,
            requestId: event.target.id,
            requestedBy: actorKey(event),
            reason: event.details.reason ?? null,
          },
        }),
      );
    }
    return findings;
  },
};

/** Someone tried to approve or deny their own access request (rbac refused it). */
export const selfApproval: EventRule<Record<string, never>> = {
  key: 'access.self_approval',
  name: 'Self-approval attempt',
  description:
    'Someone tried to decide an access request they made, or one for their own access: segregation of duties refused it, but the attempt itself is worth a look.',
  defaultSeverity: 'high',
  defaultThresholds: {},
  thresholdSchema: noThresholds,
  actions: ['access_request.refused'],
  windowed: false,
  async evaluate(_ctx, events) {
    return events.flatMap(({ event }) => {
      const reason = String(event.details.reason ?? '');
      if (!selfDecisions.includes(reason)) return [];
      const actor = actorKey(event);
      return [
        findingOf(event, {
          dedupKey: `actor:${actor}`,
          title: 'Someone tried to decide their own access request',
          subjectUserId: event.actor.type === 'user' ? event.actor.id : null,
          details: { actor, requestId: event.target.id, reason },
        }),
      ];
    });
  },
};
