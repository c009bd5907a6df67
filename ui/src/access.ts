import type { User } from 'oidc-client-ts';
import { ApiError, api } from './api.ts';

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
 * `roles.read`, which every administrative built-in role has; a user who may not is given no
 * console (undefined).
 */
export async function loadAccess(user: User): Promise<Access | undefined> {
  const orgId = String(user.profile.org_id ?? '');
  const userId = user.profile.sub;
  try {
    const [roles, assignments] = await Promise.all([api.roles(orgId), api.assignments(orgId)]);
    const now = Date.now();
    const held = new Set(
      assignments
        .filter((a) => a.userId === userId && (!a.expiresAt || Date.parse(a.expiresAt) > now))
        .map((a) => a.roleKey),
    );
    const permissions = new Set(roles.filter((r) => held.has(r.key)).flatMap((r) => r.permissions));
    return { userId, orgId, email: user.profile.email, permissions };
  } catch (err) {
    if (err instanceof ApiError && err.problem.status === 403) return undefined;
    throw err;
  }
}

/** The console's sections, each shown only to those who hold its permission. */
export const sections = [
  { path: '/orgs', label: 'Organizations', anyOf: ['platform.orgs', 'org.read'] },
] as const;

export const may = (access: Access, anyOf: readonly string[]) =>
  anyOf.some((permission) => access.permissions.has(permission));

/** Whether the console has anything to show this user. */
export const hasConsole = (access: Access) => sections.some((s) => may(access, s.anyOf));
