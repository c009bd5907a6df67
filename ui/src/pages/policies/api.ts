import { request } from '../../api.ts';

export type PolicyKind =
  | 'password'
  | 'mfa'
  | 'session'
  | 'lockout'
  | 'lifecycle'
  | 'reviews'
  | 'retention'
  | 'sso';

/** A policy's settings as the API answers them; `fields.ts` says what each one is. */
export type Settings = Record<string, unknown>;

/** The policy in force, with the ETag a change must send back as If-Match. */
export interface PolicyVersion {
  version: number;
  policy: Settings;
  etag: string;
}

export interface Preset {
  name: string;
  policy: Settings;
}

/** What a change sends: every setting, or (where the kind has presets) a preset's name. */
export type PolicyChange = Settings | { preset: string };

const policyOf = (orgId: string, kind: PolicyKind) =>
  `/orgs/${encodeURIComponent(orgId)}/policies/${kind}`;

async function versioned(
  answer: Promise<{ body: { version: number; policy: Settings }; etag: string | undefined }>,
): Promise<PolicyVersion> {
  const { body, etag } = await answer;
  return { ...body, etag: etag ?? '' };
}

export const policiesApi = {
  get: (orgId: string, kind: PolicyKind) => versioned(request(policyOf(orgId, kind))),
  /** A new version; refused with 412 when `etag` is no longer the one in force. */
  put: (orgId: string, kind: PolicyKind, change: PolicyChange, etag: string) =>
    versioned(request(policyOf(orgId, kind), { method: 'PUT', body: change, ifMatch: etag })),
  presets: async (orgId: string, kind: PolicyKind) =>
    (await request<{ items: Preset[] }>(`${policyOf(orgId, kind)}/presets`)).body.items,
};
