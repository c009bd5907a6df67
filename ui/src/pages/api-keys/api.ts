import { request } from '../../api.ts';
import type { Credential } from '../../components/CredentialTable.tsx';

/** An API key as the admin API shows it: never its secret. */
export interface ApiKey extends Credential {
  orgId: string;
  permissions: string[];
}

export interface ApiKeyInput {
  name: string;
  permissions: string[];
  expiresInDays: number;
}

const keysOf = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}/api-keys`;

export const apiKeysApi = {
  list: async (orgId: string) => (await request<{ items: ApiKey[] }>(keysOf(orgId))).body.items,
  /** The key itself (`token`) is in this answer only. */
  create: async (orgId: string, input: ApiKeyInput) =>
    (
      await request<{ key: ApiKey; token: string }>(keysOf(orgId), {
        method: 'POST',
        body: input,
      })
    ).body,
  revoke: async (orgId: string, keyId: string, reason: string) => {
    await request(`${keysOf(orgId)}/${encodeURIComponent(keyId)}/revoke`, {
      method: 'POST',
      body: { reason },
    });
  },
};
