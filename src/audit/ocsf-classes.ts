/**
 * Which OCSF class and activity each audit action is (docs/siem.md#ocsf): the classes Vigil
 * uses, with the activity ids of OCSF 1.8.0, and the action → (class, activity) table. Actions
 * the table does not name fall back to Entity Management by their last word (`…created` →
 * Create), so every action of the catalog, and any added later, maps to something valid.
 */

/** The OCSF classes Vigil's events become, with the activities it uses of each. */
export const ocsfClasses = {
  account_change: {
    uid: 3001,
    name: 'Account Change',
    category: 3,
    activities: {
      Create: 1,
      Enable: 2,
      'Password Change': 3,
      'Password Reset': 4,
      Disable: 5,
      Delete: 6,
      Lock: 9,
      'MFA Factor Enable': 10,
      'MFA Factor Disable': 11,
      Unlock: 12,
      Other: 99,
    },
  },
  authentication: {
    uid: 3002,
    name: 'Authentication',
    category: 3,
    activities: { Logon: 1, Logoff: 2, Other: 99 },
  },
  entity_management: {
    uid: 3004,
    name: 'Entity Management',
    category: 3,
    activities: {
      Create: 1,
      Read: 2,
      Update: 3,
      Delete: 4,
      Enable: 8,
      Disable: 9,
      Suspend: 12,
      Resume: 13,
      Other: 99,
    },
  },
  user_access: {
    uid: 3005,
    name: 'User Access Management',
    category: 3,
    activities: { 'Assign Privileges': 1, 'Revoke Privileges': 2, Other: 99 },
  },
  group_management: {
    uid: 3006,
    name: 'Group Management',
    category: 3,
    activities: {
      'Assign Privileges': 1,
      'Revoke Privileges': 2,
      'Add User': 3,
      'Remove User': 4,
      Delete: 5,
      Create: 6,
      Other: 99,
    },
  },
  api_activity: {
    uid: 6003,
    name: 'API Activity',
    category: 6,
    activities: { Create: 1, Read: 2, Update: 3, Delete: 4, Other: 99 },
  },
} as const;

export type OcsfClassKey = keyof typeof ocsfClasses;

export const ocsfCategories = {
  3: 'Identity & Access Management',
  6: 'Application Activity',
} as const;

/** An action's class and activity (an activity of that class, checked by the compiler). */
export type OcsfMapping = {
  [K in OcsfClassKey]: { class: K; activity: keyof (typeof ocsfClasses)[K]['activities'] };
}[OcsfClassKey];

const as =
  <K extends OcsfClassKey>(key: K) =>
  (activity: keyof (typeof ocsfClasses)[K]['activities']) =>
    ({ class: key, activity }) as OcsfMapping;
const authentication = as('authentication');
const account = as('account_change');
const access = as('user_access');
const group = as('group_management');
const api = as('api_activity');
const entity = as('entity_management');

/** The actions that are not plain changes of an entity. */
const mapped: Record<string, OcsfMapping> = {
  'auth.login.succeeded': authentication('Logon'),
  'auth.login.failed': authentication('Logon'),
  'auth.mfa.succeeded': authentication('Logon'),
  'auth.mfa.failed': authentication('Logon'),
  'session.created': authentication('Logon'),
  'session.ended': authentication('Logoff'),
  'oauth.logout': authentication('Logoff'),
  'oauth.backchannel_logout.sent': authentication('Logoff'),
  'oauth.backchannel_logout.failed': authentication('Logoff'),

  'user.created': account('Create'),
  'user.updated': account('Other'),
  'user.suspended': account('Disable'),
  'user.reactivated': account('Enable'),
  'user.deprovisioned': account('Delete'),
  'user.end_date.set': account('Other'),
  'user.dormancy_warned': account('Other'),
  'user.password.set': account('Password Change'),
  'user.password.changed': account('Password Change'),
  'user.password.change_failed': account('Password Change'),
  'user.password.rehashed': account('Other'),
  'auth.account.locked': account('Lock'),
  'auth.account.unlocked': account('Unlock'),
  'auth.password_reset.requested': account('Other'),
  'auth.password_reset.completed': account('Password Reset'),
  'auth.password_reset.failed': account('Password Reset'),
  'mfa.factor.enrolled': account('MFA Factor Enable'),
  'mfa.factor.enroll_failed': account('MFA Factor Enable'),
  'mfa.factor.removed': account('MFA Factor Disable'),
  'mfa.factors.reset': account('MFA Factor Disable'),
  'mfa.recovery_codes.generated': account('MFA Factor Enable'),
  'mfa.recovery_code.used': account('Other'),
  'bootstrap.completed': account('Create'),
  'bootstrap.failed': account('Create'),

  'role.assigned': access('Assign Privileges'),
  'role.unassigned': access('Revoke Privileges'),
  'role.expired': access('Revoke Privileges'),
  'access_request.created': access('Other'),
  'access_request.approved': access('Assign Privileges'),
  'access_request.denied': access('Other'),
  'access_request.refused': access('Other'),
  'access_request.withdrawn': access('Other'),
  'access_request.expired': access('Other'),
  'review.item.revoked': access('Revoke Privileges'),
  'scim.group.role_refused': access('Assign Privileges'),
  'oauth.consent.granted': access('Assign Privileges'),
  'oauth.consent.denied': access('Other'),
  'oauth.consent.revoked': access('Revoke Privileges'),
  'oauth.access.revoked': access('Revoke Privileges'),

  'scim.group.created': group('Create'),
  'scim.group.updated': group('Other'),
  'scim.group.deleted': group('Delete'),
  // Refined by the event's details (src/audit/ocsf.ts): who joined or left, roles added or not.
  'scim.group.members_changed': group('Add User'),
  'scim.group.roles_changed': group('Assign Privileges'),

  'api.request.denied': api('Other'),
  'oauth.token.issued': api('Create'),
  'oauth.token.refreshed': api('Create'),
  'oauth.token.refused': api('Create'),
  'oauth.token.revoked': api('Delete'),
  'oauth.refresh.reuse_detected': api('Other'),
  'oauth.grant.revoked': api('Delete'),
  'audit.exported': api('Read'),
};

/** The Entity Management activity of an action by its last word (the fallback). */
const entityVerbs: [RegExp, OcsfMapping][] = [
  [/(created|issued|launched|raised)$/, entity('Create')],
  [/(deleted|purged|dropped)$/, entity('Delete')],
  [/(disabled|revoked)$/, entity('Disable')],
  [/suspended$/, entity('Suspend')],
  [/reactivated$/, entity('Resume')],
  [/(verified|exported)$/, entity('Read')],
  [
    /(updated|changed|rotated|reassigned|decided|assigned|acknowledged|resolved|closed|restored|retried|completed|archived)$/,
    entity('Update'),
  ],
];

/** The class and activity of `action` (docs/siem.md#ocsf lists them). */
export function ocsfMappingOf(action: string): OcsfMapping {
  const exact = mapped[action];
  if (exact) return exact;
  for (const [verb, mapping] of entityVerbs) if (verb.test(action)) return mapping;
  return entity('Other');
}
