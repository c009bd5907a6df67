import { defineErrors } from '../platform/index.ts';

export const rbacErrors = defineErrors({
  roleInvalid: {
    code: 'rbac.role_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: "A custom role's key, name, description or permissions failed validation.",
  },
  ruleInvalid: {
    code: 'rbac.rule_invalid',
    kind: 'invalid',
    message: '{field}: {problem}',
    meaning: 'A separation-of-duties rule failed validation.',
  },
  roleNotFound: {
    code: 'rbac.role_not_found',
    kind: 'not_found',
    message: 'No role {key} here',
    meaning:
      'No built-in or custom role with this key in the organization (or no custom one, for a change).',
  },
  roleExists: {
    code: 'rbac.role_exists',
    kind: 'conflict',
    message: 'A role {key} exists',
    meaning: 'A role with this key exists in the organization.',
  },
  roleStale: {
    code: 'rbac.stale',
    kind: 'precondition_failed',
    message: 'The role is at version {version}; read it again',
    meaning: 'A role change was based on a version that is no longer the current one (If-Match).',
  },
  permissionNotHeld: {
    code: 'rbac.permission_not_held',
    kind: 'forbidden',
    message: 'permissions: {permissions} not yours to give; a role cannot be wider than its author',
    meaning: 'A custom role was given permissions its author does not hold.',
  },
  platformPermission: {
    code: 'rbac.platform_permission',
    kind: 'invalid',
    message: 'permissions: {permissions} can only be held in the platform organization',
    meaning: 'A role outside the platform organization was given a platform permission.',
  },
  privilegeRequired: {
    code: 'rbac.privilege_required',
    kind: 'invalid',
    message:
      '{flags}: a role with {permissions} (high risk) is privileged and needs MFA and approval',
    meaning: 'A role with a high-risk permission was declared without MFA or approval.',
  },
  ownerNotFound: {
    code: 'rbac.owner_not_found',
    kind: 'invalid',
    message: 'ownerUserId: no user with this id in this organization',
    meaning: "A role's accountable owner is not a user of the organization.",
  },
  conflictingRoles: {
    code: 'rbac.conflicting_roles',
    kind: 'conflict',
    message: "Holding {role} together with the user's other roles breaks {rules}",
    meaning: 'The assignment would break a separation-of-duties rule (rules listed in details).',
  },
  alreadyAssigned: {
    code: 'rbac.already_assigned',
    kind: 'conflict',
    message: 'The user already has {role}',
    meaning: 'The user holds the role already (asked to assign it, or asking for it).',
  },
  reasonRequired: {
    code: 'rbac.reason_required',
    kind: 'invalid',
    message: 'reason: say why access is given',
    meaning: 'An assignment or access request came without a reason.',
  },
  expiryPast: {
    code: 'rbac.expiry_past',
    kind: 'invalid',
    message: 'expiresAt: must be in the future',
    meaning: 'An assignment or access request expires in the past.',
  },
  userNotFound: {
    code: 'rbac.user_not_found',
    kind: 'not_found',
    message: 'No active user with this id here',
    meaning: 'Roles go only to active users of the organization.',
  },
  notAssigned: {
    code: 'rbac.not_assigned',
    kind: 'not_found',
    message: 'The user does not have {role}',
    meaning: 'The role to remove is not assigned to the user.',
  },
  forbidden: {
    code: 'rbac.forbidden',
    kind: 'forbidden',
    message: 'This needs the {permission} permission',
    meaning: 'The caller lacks the permission the operation needs.',
  },
  selfAssignment: {
    code: 'rbac.self_assignment',
    kind: 'forbidden',
    message:
      'Nobody can give themselves a role: ask for it (POST …/access-requests) and someone else approves',
    meaning: 'Someone tried to assign a role to themselves.',
  },
  ownOrgOnly: {
    code: 'rbac.own_org_only',
    kind: 'invalid',
    message: 'You can ask for roles only in your own organization',
    meaning: "An access request was made for another organization than the requester's.",
  },
  requestNotFound: {
    code: 'rbac.request_not_found',
    kind: 'not_found',
    message: 'No such access request',
    meaning: 'No access request with this id in the organization.',
  },
  requestClosed: {
    code: 'rbac.request_closed',
    kind: 'conflict',
    message: 'The request is {status}',
    meaning: 'The access request was decided already or has expired.',
  },
  ruleNotFound: {
    code: 'rbac.rule_not_found',
    kind: 'not_found',
    message: 'No such conflict rule',
    meaning: 'No separation-of-duties rule with this id in the organization.',
  },
  badCursor: {
    code: 'rbac.bad_cursor',
    kind: 'invalid',
    message: 'The cursor is not one this API returned',
    meaning:
      "An assignment list sent a page cursor that this API did not hand out (a page's nextCursor).",
  },
});
