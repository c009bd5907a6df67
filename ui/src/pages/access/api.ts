import { ApiError, request, requestFile, type Versioned } from '../../api.ts';

/** The admin API's access routes the console calls (docs/admin-api.md#routes). */

/** A role as the API shows it: built in, or custom (with its organization, owner and version). */
export interface RoleDetail {
  key: string;
  name: string;
  description: string;
  purpose: string;
  permissions: string[];
  privileged: boolean;
  requireMfa: boolean;
  requiresApproval: boolean;
  builtIn: boolean;
  platformOnly: boolean;
  ownerUserId?: string;
  version?: number;
}

/** What a custom role's form sends (a flag left out is decided by the server). */
export interface RoleInput {
  name: string;
  description: string;
  purpose: string;
  permissions: string[];
  privileged?: boolean;
  requireMfa?: boolean;
  requiresApproval?: boolean;
}

export interface Grant {
  userId: string;
  roleKey: string;
  grantedBy: string | null;
  reason: string;
  grantedAt: string;
  expiresAt: string | null;
  /** `scim`: the directory's groups gave it, and take it back with them. */
  source: 'admin' | 'scim';
}

export interface GrantPage {
  items: Grant[];
  nextCursor: string | null;
}

/** An access request (the API names its fields as the table's columns). */
export interface AccessRequest {
  id: string;
  user_id: string;
  role_key: string;
  requested_by: string | null;
  reason: string;
  assignment_expires_at: string | null;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  created_at: string;
  expires_at: string;
  /** `scim`: asked for because of the user's groups in the directory. */
  source: 'admin' | 'scim';
}

export interface ConflictRule {
  id: string;
  name: string;
  description: string;
  roles: string[];
  permissions: string[];
  created_at: string;
}

export interface Violation {
  userId: string;
  ruleId: string;
  rule: string;
}

export interface UserSummary {
  id: string;
  email: string;
  displayName: string;
  status: string;
}

/** The outcome of giving a role: at once, or an access request that someone else decides. */
export type AssignOutcome = { status: 'assigned' } | { status: 'pending'; requestId: string };

/** A decision on an access request, or why the server would not take it from this approver. */
export type Decision = { status: 'approved' | 'denied' } | { status: 'refused'; reason: string };

export type ExportReport = 'permission-matrix' | 'user-access';
export type ExportFormat = 'json' | 'csv';

const org = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}`;
const items = async <T>(path: string) => (await request<{ items: T[] }>(path)).body.items;

export const accessApi = {
  roles: (orgId: string) => items<RoleDetail>(`${org(orgId)}/roles`),
  role: (orgId: string, key: string): Promise<Versioned<RoleDetail>> =>
    request<RoleDetail>(`${org(orgId)}/roles/${encodeURIComponent(key)}`),
  createRole: async (orgId: string, input: RoleInput & { key: string }) =>
    (await request<RoleDetail>(`${org(orgId)}/roles`, { method: 'POST', body: input })).body,
  updateRole: (orgId: string, key: string, input: RoleInput, ifMatch: string | undefined) =>
    request<RoleDetail>(`${org(orgId)}/roles/${encodeURIComponent(key)}`, {
      method: 'PATCH',
      body: input,
      ifMatch,
    }),

  /** A page of the assignments, one role's holders when `roleKey` is given. */
  assignments: async (orgId: string, roleKey: string | null, cursor: string | undefined) => {
    const query = new URLSearchParams();
    if (roleKey) query.set('roleKey', roleKey);
    if (cursor) query.set('cursor', cursor);
    return (await request<GrantPage>(`${org(orgId)}/assignments?${query}`)).body;
  },
  assign: async (
    orgId: string,
    input: { userId: string; roleKey: string; reason: string; expiresAt?: string },
  ) =>
    (await request<AssignOutcome>(`${org(orgId)}/assignments`, { method: 'POST', body: input }))
      .body,
  unassign: (orgId: string, userId: string, roleKey: string, reason: string) =>
    request<{ removed: true }>(
      `${org(orgId)}/users/${encodeURIComponent(userId)}/roles/${encodeURIComponent(roleKey)}?reason=${encodeURIComponent(reason)}`,
      { method: 'DELETE' },
    ),

  accessRequests: (orgId: string) => items<AccessRequest>(`${org(orgId)}/access-requests`),
  requestAccess: async (
    orgId: string,
    input: { roleKey: string; reason: string; expiresAt?: string },
  ) =>
    (await request<AssignOutcome>(`${org(orgId)}/access-requests`, { method: 'POST', body: input }))
      .body,
  decide: async (
    orgId: string,
    requestId: string,
    verdict: 'approve' | 'deny',
    note: string,
  ): Promise<Decision> => {
    try {
      return (
        await request<Decision>(
          `${org(orgId)}/access-requests/${encodeURIComponent(requestId)}/${verdict}`,
          { method: 'POST', body: { note } },
        )
      ).body;
    } catch (err) {
      // Segregation of duties refuses with 403 and the decision's own body (its audit event
      // commits), not a problem document.
      const answer = err instanceof ApiError ? err.problem : undefined;
      if (answer && 'reason' in answer && typeof answer.reason === 'string')
        return { status: 'refused', reason: answer.reason };
      throw err;
    }
  },

  conflictRules: (orgId: string) => items<ConflictRule>(`${org(orgId)}/conflict-rules`),
  addConflictRule: async (
    orgId: string,
    input: { name: string; description: string; roles: string[]; permissions: string[] },
  ) =>
    (await request<ConflictRule>(`${org(orgId)}/conflict-rules`, { method: 'POST', body: input }))
      .body,
  removeConflictRule: (orgId: string, ruleId: string) =>
    request<{ removed: true }>(`${org(orgId)}/conflict-rules/${encodeURIComponent(ruleId)}`, {
      method: 'DELETE',
    }),
  violations: (orgId: string) => items<Violation>(`${org(orgId)}/conflict-rules/violations`),

  /** A few active users whose email or name holds `text` (the first ones when it is empty). */
  findUsers: async (orgId: string, text: string) =>
    items<UserSummary>(`${org(orgId)}/users?status=active&limit=20&q=${encodeURIComponent(text)}`),

  exportFile: (orgId: string, report: ExportReport, format: ExportFormat) =>
    requestFile(`${org(orgId)}/exports/${report}?format=${format}`),
};
