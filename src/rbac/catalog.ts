/**
 * The permission catalog and the built-in roles (docs/access-control.md). Code, not data: a
 * permission exists only where a route checks it, and the catalog is what the auditor's
 * permission matrix prints.
 */

export type Risk = 'low' | 'medium' | 'high' | 'critical';

export interface Permission {
  id: string;
  description: string;
  risk: Risk;
  /** `platform` permissions can never be granted inside an organization. */
  scope: 'org' | 'platform';
}

const permission = (
  id: string,
  risk: Risk,
  description: string,
  scope: Permission['scope'] = 'org',
): Permission => ({ id, description, risk, scope });

export const permissions: readonly Permission[] = [
  permission('users.read', 'low', 'See the users of the organization, their status and roles'),
  permission('users.write', 'medium', 'Create users and change their profile'),
  permission(
    'users.deactivate',
    'high',
    'Suspend, reactivate and deprovision users, end their sessions, forget their trusted browsers',
  ),
  permission(
    'users.credentials',
    'high',
    "Reset a user's password, unlock the account, reset their second factors",
  ),
  permission('roles.read', 'low', 'See roles, assignments and conflict rules'),
  permission('roles.manage', 'high', 'Create and change custom roles and conflict rules'),
  permission('roles.assign', 'high', 'Assign roles to users and remove them'),
  permission('access.request', 'low', 'Ask for a role for yourself (someone else approves)'),
  permission('access.approve', 'high', 'Approve or deny requests for roles that need approval'),
  permission('audit.read', 'medium', 'Read and export the audit log of the organization'),
  permission(
    'org.read',
    'low',
    'See the organization, its security policies and its OAuth clients',
  ),
  permission('org.settings', 'high', 'Change password, lockout, MFA and session policies'),
  permission('clients.manage', 'high', 'Register OAuth clients, rotate their secrets, disable'),
  permission('apikeys.manage', 'high', 'Create and revoke API keys of the organization'),
  permission(
    'scim.manage',
    'high',
    'Create and revoke SCIM tokens of the HR directory, map its groups to roles',
  ),
  permission(
    'reviews.manage',
    'high',
    'Launch access review campaigns, reassign their items and close them (revoking what was not kept)',
  ),
  permission('reviews.decide', 'low', 'Decide the access review items assigned to you'),
  permission('alerts.read', 'medium', 'See security alerts, the alert rules and where alerts go'),
  permission(
    'alerts.manage',
    'high',
    'Acknowledge, assign and resolve alerts; change alert rules, webhook endpoints and SIEM streams',
  ),
  permission(
    'compliance.read',
    'medium',
    'See the controls, their live checks with the exceptions, and the posture history; run the checks now',
  ),
  permission(
    'compliance.export',
    'medium',
    'Export signed evidence packs for an audit period (policies, access, reviews, audit samples)',
  ),
  permission(
    'sso.manage',
    'high',
    'Register SAML applications, connect identity providers, verify email domains, rotate SAML keys and set the SSO policy',
  ),
  permission('platform.settings', 'critical', 'Change platform-wide settings and keys', 'platform'),
  permission('platform.orgs', 'critical', 'Create, suspend and see every organization', 'platform'),
];

export const permissionIds = new Set(permissions.map((p) => p.id));
export const platformPermissionIds = new Set(
  permissions.filter((p) => p.scope === 'platform').map((p) => p.id),
);

/** What every role has, built-in or custom. */
export interface RoleDefinition {
  key: string;
  name: string;
  description: string;
  /** Why the role exists: the business need it answers (SOC 2 CC6.1/CC6.3). */
  purpose: string;
  permissions: string[];
  /** Grants high-risk access: reviewed more often, approval needed by default. */
  privileged: boolean;
  /** Holders must use a second factor (docs/authentication.md#mfa). */
  requireMfa: boolean;
  /** Assigning it takes effect only once another authorized user approves. */
  requiresApproval: boolean;
  builtIn: boolean;
  /** Built-in roles that exist only in the platform organization. */
  platformOnly: boolean;
}

const orgPermissions = permissions.filter((p) => p.scope === 'org').map((p) => p.id);
const readOnly = [
  'users.read',
  'roles.read',
  'audit.read',
  'org.read',
  'alerts.read',
  'compliance.read',
  'compliance.export',
];

const builtIn = (
  role: Omit<RoleDefinition, 'builtIn' | 'requiresApproval' | 'platformOnly'> & {
    platformOnly?: boolean;
  },
): RoleDefinition => ({
  ...role,
  builtIn: true,
  platformOnly: role.platformOnly ?? false,
  requiresApproval: role.privileged,
});

export const builtInRoles: readonly RoleDefinition[] = [
  builtIn({
    key: 'platform-admin',
    name: 'Platform administrator',
    description: 'Runs the Vigil installation: organizations, platform keys and settings.',
    purpose: 'Operate the identity platform itself; held by the operator team only.',
    permissions: [...orgPermissions, ...platformPermissionIds],
    privileged: true,
    requireMfa: true,
    platformOnly: true,
  }),
  builtIn({
    key: 'platform-auditor',
    name: 'Platform auditor',
    description: 'Reads every organization, role and audit event; changes nothing.',
    purpose: "Give the external auditor evidence of the platform's controls without any write.",
    permissions: readOnly,
    privileged: false,
    requireMfa: true,
    platformOnly: true,
  }),
  builtIn({
    key: 'org-owner',
    name: 'Organization owner',
    description: 'Everything inside the organization, including approving access.',
    purpose: 'Accountable owner of the organization’s identities and access.',
    permissions: orgPermissions,
    privileged: true,
    requireMfa: true,
  }),
  builtIn({
    key: 'org-admin',
    name: 'Organization administrator',
    description: 'Manages users, roles, clients and policies; cannot approve access requests.',
    purpose: 'Day-to-day identity administration, kept apart from approving access.',
    permissions: orgPermissions.filter((p) => p !== 'access.approve'),
    privileged: true,
    requireMfa: true,
  }),
  builtIn({
    key: 'org-auditor',
    name: 'Organization auditor',
    description:
      'Reads users, roles and the audit log, and exports them; decides the access reviews assigned to them.',
    purpose: 'Evidence for internal and external audits without write access.',
    // Deciding a review changes nothing by itself (the close applies it), and an auditor may be
    // the reviewer someone assigned.
    permissions: [...readOnly, 'access.request', 'reviews.decide'],
    privileged: false,
    requireMfa: false,
  }),
  builtIn({
    key: 'member',
    name: 'Member',
    description:
      'Signs in, manages their own account, asks for roles and decides the access reviews assigned to them; no administrative access.',
    purpose: 'Every person who uses the applications of the organization.',
    // Any user may be chosen as a reviewer (a role's owner, a manager): their queue needs nothing
    // else, and only the items assigned to them can be decided.
    permissions: ['access.request', 'reviews.decide'],
    privileged: false,
    requireMfa: false,
  }),
];

export const builtInRoleKeys = new Set(builtInRoles.map((r) => r.key));
