import { request } from '../../api.ts';

/** The kinds of client (docs/oidc.md#clients); `web` and `machine` ones hold a secret. */
export const clientKinds = {
  web: 'Web application (server side, confidential)',
  spa: 'Single-page application (public)',
  native: 'Native or mobile app (public)',
  machine: 'Machine to machine (client credentials, confidential)',
} as const;

export type ClientKind = keyof typeof clientKinds;

export const isConfidential = (kind: ClientKind) => kind === 'web' || kind === 'machine';

/** An OAuth client as the admin API shows it: never its secret. */
export interface OAuthClient {
  id: string;
  orgId: string;
  name: string;
  kind: ClientKind;
  firstParty: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  grantTypes: string[];
  resources: string[];
  apiScopes: string[];
  status: 'active' | 'disabled';
  createdAt: string;
  previousSecretValidUntil: string | null;
}

export interface ClientInput {
  name: string;
  kind: ClientKind;
  firstParty: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  resources: string[];
  apiScopes: string[];
}

const clientsOf = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}/clients`;
const client = (orgId: string, clientId: string) =>
  `${clientsOf(orgId)}/${encodeURIComponent(clientId)}`;

export const clientsApi = {
  list: async (orgId: string) =>
    (await request<{ items: OAuthClient[] }>(clientsOf(orgId))).body.items,
  get: async (orgId: string, clientId: string) =>
    (await request<OAuthClient>(client(orgId, clientId))).body,
  /** A confidential client's secret is in this answer only. */
  create: async (orgId: string, input: ClientInput) =>
    (
      await request<{ client: OAuthClient; secret: string | null }>(clientsOf(orgId), {
        method: 'POST',
        body: input,
      })
    ).body,
  /** The new secret, in this answer only; the replaced one works for the overlap period. */
  rotateSecret: async (orgId: string, clientId: string) =>
    (
      await request<{ secret: string }>(`${client(orgId, clientId)}/rotate-secret`, {
        method: 'POST',
      })
    ).body.secret,
  disable: async (orgId: string, clientId: string) =>
    (await request<OAuthClient>(`${client(orgId, clientId)}/disable`, { method: 'POST' })).body,
};
