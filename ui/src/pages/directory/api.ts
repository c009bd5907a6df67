import { api, request } from '../../api.ts';
import type { Credential } from '../../components/CredentialTable.tsx';

/** A SCIM token as the admin API shows it: never its secret. */
export interface ScimToken extends Credential {
  revokedBy: string | null;
}

/** A group the directory pushed, with its member count and the roles it maps to. */
export interface MappedGroup {
  id: string;
  displayName: string;
  externalId: string | null;
  members: number;
  roleKeys: string[];
}

/** What saving a group's roles did to its members. */
export interface SyncOutcome {
  assigned: number;
  requested: number;
  removed: number;
  withdrawn: number;
  refused: number;
}

const orgPath = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}`;

export const directoryApi = {
  tokens: async (orgId: string) =>
    (await request<{ items: ScimToken[] }>(`${orgPath(orgId)}/scim-tokens`)).body.items,
  /** The token itself (`token`) is in this answer only. */
  createToken: async (orgId: string, input: { name: string; expiresInDays: number }) =>
    (
      await request<{ scimToken: ScimToken; token: string }>(`${orgPath(orgId)}/scim-tokens`, {
        method: 'POST',
        body: input,
      })
    ).body,
  revokeToken: async (orgId: string, tokenId: string) => {
    await request(`${orgPath(orgId)}/scim-tokens/${encodeURIComponent(tokenId)}/revoke`, {
      method: 'POST',
    });
  },
  groups: async (orgId: string) =>
    (await request<{ items: MappedGroup[] }>(`${orgPath(orgId)}/scim-groups`)).body.items,
  setGroupRoles: async (orgId: string, groupId: string, roleKeys: string[]) =>
    (
      await request<{ group: MappedGroup; sync: SyncOutcome }>(
        `${orgPath(orgId)}/scim-groups/${encodeURIComponent(groupId)}/roles`,
        { method: 'PUT', body: { roleKeys } },
      )
    ).body,
  roles: api.roles,
  organization: api.organization,
};

/** The SCIM root a directory is given: this server, the organization's slug. */
export const scimBaseUrl = (slug: string) => `${window.location.origin}/scim/v2/${slug}`;
