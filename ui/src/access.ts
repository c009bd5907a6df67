import type { User } from 'oidc-client-ts';
import { ApiError, api, request } from './api.ts';

/** Who is signed in and what they may do, as the admin API answers it. */
export interface Access {
  userId: string;
  /** The user's organization (the platform organization for platform users). */
  orgId: string;
  email: string | undefined;
  permissions: ReadonlySet<string>;
}

/**
 * What the signed-in user may do: the permissions of the roles they hold now, read from the
 * admin API in their own organization (docs/console.md#what-the-user-may-do). Reading them needs
 * `roles.read`, which every administrative built-in role has; a user who may not is given My
 * reviews when they may review access, else no console (undefined).
 */
export async function loadAccess(user: User): Promise<Access | undefined> {
  const orgId = String(user.profile.org_id ?? '');
  const userId = user.profile.sub;
  try {
    const [roles, assignments] = await Promise.all([
      api.roles(orgId),
      api.assignmentsOf(orgId, userId),
    ]);
    const now = Date.now();
    const held = new Set(
      assignments
        .filter((a) => !a.expiresAt || Date.parse(a.expiresAt) > now)
        .map((a) => a.roleKey),
    );
    const permissions = new Set(roles.filter((r) => held.has(r.key)).flatMap((r) => r.permissions));
    return { userId, orgId, email: user.profile.email, permissions };
  } catch (err) {
    if (err instanceof ApiError && err.problem.status === 403) return reviewerAccess(user);
    throw err;
  }
}

/**
 * A user who may not read roles may still review access (`reviews.decide`, which every
 * `member` holds): their own review queue answering says so, and they get My reviews alone.
 * Refused too, they have no console (undefined).
 */
async function reviewerAccess(user: User): Promise<Access | undefined> {
  const orgId = String(user.profile.org_id ?? '');
  try {
    await request(`/orgs/${encodeURIComponent(orgId)}/review-queue?privileged=true`);
  } catch (err) {
    if (err instanceof ApiError && err.problem.status < 500) return undefined;
    throw err;
  }
  const permissions = new Set(['reviews.decide']);
  return { userId: user.profile.sub, orgId, email: user.profile.email, permissions };
}

/**
 * A section of the console, shown only to those who hold one of its permissions. An
 * organization's section has `:orgId` in its path: it opens in the organization the console works
 * in (`workingOrgId`).
 */
export interface Section {
  path: string;
  label: string;
  anyOf: readonly string[];
}

/** The console's sections: the platform's first, then an organization's. */
export const sections: readonly Section[] = [
  { path: '/orgs', label: 'Organizations', anyOf: ['platform.orgs', 'org.read'] },
  { path: '/orgs/:orgId/users', label: 'Users', anyOf: ['users.read'] },
  { path: '/orgs/:orgId/roles', label: 'Roles', anyOf: ['roles.read'] },
  { path: '/orgs/:orgId/assignments', label: 'Assignments', anyOf: ['roles.read'] },
  { path: '/orgs/:orgId/access-requests', label: 'Access requests', anyOf: ['roles.read'] },
  { path: '/orgs/:orgId/conflict-rules', label: 'Conflict rules', anyOf: ['roles.read'] },
  { path: '/orgs/:orgId/exports', label: 'Access exports', anyOf: ['audit.read'] },
  { path: '/orgs/:orgId/audit', label: 'Audit log', anyOf: ['audit.read'] },
  { path: '/orgs/:orgId/alerts', label: 'Alerts', anyOf: ['alerts.read'] },
  {
    path: '/orgs/:orgId/integrations',
    label: 'Integrations',
    anyOf: ['alerts.read', 'audit.read'],
  },
  { path: '/orgs/:orgId/clients', label: 'OAuth clients', anyOf: ['org.read'] },
  { path: '/orgs/:orgId/api-keys', label: 'API keys', anyOf: ['apikeys.manage'] },
  { path: '/orgs/:orgId/policies', label: 'Policies', anyOf: ['org.read'] },
  { path: '/orgs/:orgId/sso', label: 'Single sign-on', anyOf: ['org.read'] },
  { path: '/orgs/:orgId/directory', label: 'Directory (SCIM)', anyOf: ['scim.manage'] },
  { path: '/orgs/:orgId/lifecycle', label: 'Leavers (SLA)', anyOf: ['audit.read'] },
  { path: '/orgs/:orgId/compliance', label: 'Compliance', anyOf: ['compliance.read'] },
  { path: '/orgs/:orgId/reviews', label: 'Access reviews', anyOf: ['reviews.manage'] },
  { path: '/orgs/:orgId/my-reviews', label: 'My reviews', anyOf: ['reviews.decide'] },
];

export const inOrganization = (section: Section) => section.path.includes(':orgId');

/** Where `section` opens for organization `orgId`. */
export const sectionPath = (section: Section, orgId: string) =>
  section.path.replace(':orgId', encodeURIComponent(orgId));

/**
 * The organization the console works in: a platform administrator (`platform.orgs`) works in
 * the one the page's path names, else their own; anyone else always in their own.
 */
export function workingOrgId(access: Access, pathname: string): string {
  const named = /^\/orgs\/([^/]+)\//.exec(pathname)?.[1];
  return named && access.permissions.has('platform.orgs')
    ? decodeURIComponent(named)
    : access.orgId;
}

/** The first section of organization `orgId` this user may open (where picking it leads). */
export function firstPathIn(access: Access, orgId: string): string | undefined {
  const first = sections.find((s) => inOrganization(s) && may(access, s.anyOf));
  return first && sectionPath(first, orgId);
}

export const may = (access: Access, anyOf: readonly string[]) =>
  anyOf.some((permission) => access.permissions.has(permission));

/** Whether the console has anything to show this user. */
export const hasConsole = (access: Access) => sections.some((s) => may(access, s.anyOf));
