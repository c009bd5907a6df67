import { request, type Versioned } from '../../api.ts';

export type UserStatus = 'active' | 'suspended' | 'deprovisioned';

/** A user as the admin API shows it. */
export interface UserRecord {
  id: string;
  orgId: string;
  email: string;
  displayName: string;
  status: UserStatus;
  createdAt: string;
  updatedAt: string;
  deactivatedAt: string | null;
}

export interface UserPage {
  items: UserRecord[];
  /** Where the next page starts; null on the last one. */
  nextCursor: string | null;
}

/** What narrows the list: words of the email or name, and a status. */
export interface UserFilter {
  q?: string;
  status?: UserStatus;
}

export interface Factor {
  id: string;
  kind: 'totp' | 'webauthn';
  label: string;
  createdAt: string;
  confirmedAt: string | null;
  lastUsedAt: string | null;
}

export interface Session {
  id: string;
  amr: string[];
  acr: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
}

export interface TrustedDevice {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
}

export interface EndDate {
  userId: string;
  endAt: string | null;
}

export type StatusChange = 'suspend' | 'reactivate' | 'deprovision';

/** Users per page of the list. */
export const pageSize = 50;

const users = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}/users`;
const user = (orgId: string, userId: string) => `${users(orgId)}/${encodeURIComponent(userId)}`;

const post = async <T>(path: string, body: unknown = {}) =>
  (await request<T>(path, { method: 'POST', body })).body;

/** The admin API's users and help-desk routes (docs/admin-api.md#routes). */
export const usersApi = {
  page: async (orgId: string, filter: UserFilter, cursor?: string) => {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (filter.q) query.set('q', filter.q);
    if (filter.status) query.set('status', filter.status);
    if (cursor) query.set('cursor', cursor);
    return (await request<UserPage>(`${users(orgId)}?${query}`)).body;
  },
  create: (orgId: string, input: { email: string; displayName: string }) =>
    post<UserRecord>(users(orgId), input),
  /** With the ETag a change sends back. */
  get: (orgId: string, userId: string): Promise<Versioned<UserRecord>> =>
    request<UserRecord>(user(orgId, userId)),
  update: (
    orgId: string,
    userId: string,
    change: { email?: string; displayName?: string },
    ifMatch: string | undefined,
  ) => request<UserRecord>(user(orgId, userId), { method: 'PATCH', body: change, ifMatch }),
  changeStatus: (orgId: string, userId: string, change: StatusChange) =>
    post<UserRecord>(`${user(orgId, userId)}/${change}`),
  /** A temporary password drawn by Vigil, answered this once. */
  temporaryPassword: (orgId: string, userId: string) =>
    post<{ temporaryPassword: string; sessionsEnded: number }>(`${user(orgId, userId)}/password`),
  unlock: (orgId: string, userId: string) =>
    post<{ wasLocked: boolean }>(`${user(orgId, userId)}/unlock`),
  factors: async (orgId: string, userId: string) =>
    (
      await request<{ items: Factor[]; recoveryCodesLeft: number }>(
        `${user(orgId, userId)}/factors`,
      )
    ).body,
  resetFactors: (orgId: string, userId: string, reason: string) =>
    post<{ removed: number; sessionsEnded: number }>(`${user(orgId, userId)}/factors/reset`, {
      reason,
    }),
  sessions: async (orgId: string, userId: string) =>
    (await request<{ items: Session[] }>(`${user(orgId, userId)}/sessions`)).body.items,
  endSessions: (orgId: string, userId: string) =>
    post<{ ended: number }>(`${user(orgId, userId)}/sessions/end`),
  devices: async (orgId: string, userId: string) =>
    (await request<{ items: TrustedDevice[] }>(`${user(orgId, userId)}/devices`)).body.items,
  revokeDevices: (orgId: string, userId: string) =>
    post<{ revoked: number }>(`${user(orgId, userId)}/devices/revoke`),
  /** The scheduled end (an instant, or null): the lifecycle schedule deprovisions the user then. */
  endDate: async (orgId: string, userId: string) =>
    (await request<EndDate>(`${user(orgId, userId)}/end-date`)).body,
  setEndDate: async (orgId: string, userId: string, endAt: string | null) =>
    (await request<EndDate>(`${user(orgId, userId)}/end-date`, { method: 'PUT', body: { endAt } }))
      .body,
};
