import type { MfaService } from '../auth/mfa/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { type Database, platformOrgId, type Tx, withOrg, withPlatform } from '../platform/index.ts';
import type { Rbac } from '../rbac/index.ts';
import type { SessionService } from '../sessions/index.ts';
import { toCsv } from './csv.ts';

/** The columns of the user-access listing (the export, and an evidence pack's at the period's end). */
export const userAccessHeader = [
  'user_id',
  'email',
  'name',
  'status',
  'roles',
  'privileged',
  'mfa_enrolled',
  'last_sign_in',
  'created',
  'deactivated',
];

export interface AccessExportDeps {
  database: Database;
  identity: IdentityService;
  rbac: Rbac;
  mfa: MfaService;
  sessions: SessionService;
}

/**
 * The two access exports an auditor asks for (docs/access-control.md#exports): the permission
 * matrix (every role with its purpose and permissions) and the user-access listing.
 */
export function createAccessExports(deps: AccessExportDeps) {
  async function permissionMatrix(tx: Tx, orgId: string) {
    const roles = await deps.rbac.rolesOf(tx, orgId);
    return {
      permissions: deps.rbac.permissions.map((p) => ({
        id: p.id,
        description: p.description,
        risk: p.risk,
      })),
      roles: roles.map((r) => ({
        key: r.key,
        name: r.name,
        description: r.description,
        purpose: r.purpose,
        builtIn: r.builtIn,
        privileged: r.privileged,
        requireMfa: r.requireMfa,
        requiresApproval: r.requiresApproval,
        permissions: r.permissions,
      })),
    };
  }

  async function userAccess(tx: Tx, orgId: string) {
    const [users, holders, enrolled, lastSignIns] = [
      await deps.identity.listUsers(tx, orgId),
      await deps.rbac.holdersIn(tx, orgId),
      await deps.mfa.usersWithFactor(tx, orgId),
      await deps.sessions.lastSignIns(tx, orgId),
    ];
    return users.map((u) => {
      const roles = holders.get(u.id) ?? [];
      return {
        userId: u.id,
        email: u.email,
        name: u.displayName,
        status: u.status,
        roles: roles.map((r) => r.key).sort(),
        privileged: roles.some((r) => r.privileged),
        mfaEnrolled: enrolled.has(u.id),
        lastSignIn: lastSignIns.get(u.id)?.toISOString() ?? null,
        created: u.createdAt.toISOString(),
        deactivated: u.deactivatedAt?.toISOString() ?? null,
      };
    });
  }

  const exports = {
    permissionMatrix,
    userAccess,

    /** One row per role; one column per permission, `x` where the role has it. */
    async permissionMatrixCsv(tx: Tx, orgId: string): Promise<string> {
      const matrix = await permissionMatrix(tx, orgId);
      const ids = matrix.permissions.map((p) => p.id);
      return toCsv(
        [
          'role',
          'name',
          'description',
          'purpose',
          'built_in',
          'privileged',
          'require_mfa',
          'requires_approval',
          ...ids,
        ],
        matrix.roles.map((r) => [
          r.key,
          r.name,
          r.description,
          r.purpose,
          r.builtIn,
          r.privileged,
          r.requireMfa,
          r.requiresApproval,
          ...ids.map((id) => (r.permissions.includes(id) ? 'x' : '')),
        ]),
      );
    },

    async userAccessCsv(tx: Tx, orgId: string): Promise<string> {
      const rows = await userAccess(tx, orgId);
      return toCsv(
        userAccessHeader,
        rows.map((r) => [
          r.userId,
          r.email,
          r.name,
          r.status,
          r.roles.join(';'),
          r.privileged,
          r.mfaEnrolled,
          r.lastSignIn,
          r.created,
          r.deactivated,
        ]),
      );
    },
  };
  return {
    ...exports,
    /**
     * One export of the organization as the operator's command writes it (CSV, or JSON naming the
     * organization), read in the organization's own transaction (platform scope for the platform).
     */
    exportOf: (
      org: { id: string; slug: string },
      report: 'matrix' | 'users',
      format: 'csv' | 'json',
    ): Promise<string> => {
      const read = async (tx: Tx) => {
        if (report === 'matrix') {
          return format === 'csv'
            ? exports.permissionMatrixCsv(tx, org.id)
            : `${JSON.stringify({ organization: org.slug, ...(await exports.permissionMatrix(tx, org.id)) }, null, 2)}\n`;
        }
        return format === 'csv'
          ? exports.userAccessCsv(tx, org.id)
          : `${JSON.stringify({ organization: org.slug, users: await exports.userAccess(tx, org.id) }, null, 2)}\n`;
      };
      return org.id === platformOrgId
        ? withPlatform(deps.database, read)
        : withOrg(deps.database, org.id, read);
    },
  };
}

export type AccessExports = ReturnType<typeof createAccessExports>;
