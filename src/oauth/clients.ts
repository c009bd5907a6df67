import { z } from 'zod';
import { type Keyring, randomToken } from '../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  newId,
  parseInput,
  type Tx,
} from '../platform/index.ts';
import * as store from './clients.store.ts';
import { oauthErrors } from './errors.ts';

export const clientSecretColumn = { table: 'oauth_clients', column: 'secret_enc', idColumn: 'id' };
export const previousClientSecretColumn = {
  table: 'oauth_clients',
  column: 'previous_secret_enc',
  idColumn: 'id',
};

/** Kinds of client and what each may do (docs/oidc.md). */
const grantsOf = {
  web: ['authorization_code', 'refresh_token'],
  spa: ['authorization_code', 'refresh_token'],
  native: ['authorization_code', 'refresh_token'],
  machine: ['client_credentials'],
} as const;
const confidential = (kind: store.ClientRow['kind']) => kind === 'web' || kind === 'machine';
/** The grant a kind cannot do without. */
const requiredGrant = (kind: store.ClientRow['kind']) =>
  kind === 'machine' ? 'client_credentials' : 'authorization_code';

/** Exact redirect URIs: https, or http on a loopback address for native apps (RFC 8252 §7.3). */
const redirectUri = z
  .string()
  .max(2000)
  .refine((value) => {
    const url = URL.parse(value);
    if (!url || url.hash || url.username || url.password) return false;
    const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
    return url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
  }, 'must be an absolute https URL (http only on a loopback address) without a fragment');

/** A resource server's identifier (RFC 8707 §2): an absolute https URI without a fragment. */
const resourceUri = z
  .string()
  .max(2000)
  .refine((value) => {
    const url = URL.parse(value);
    return url?.protocol === 'https:' && !url.hash && !url.username && !url.password;
  }, 'must be an absolute https URI without a fragment');

/** An API scope (RFC 6749 §3.3 characters), other than the OpenID Connect ones. */
const apiScope = z
  .string()
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'must be 1–100 printable characters without spaces')
  .refine((s) => !oidcScopes.includes(s), 'is an OpenID Connect scope, granted by consent');

/** The scopes Vigil itself defines (consent, ID token, userinfo). */
export const oidcScopes = ['openid', 'offline_access', 'email', 'profile', 'roles'];

const lifetime = (max: number) => z.number().int().min(1).max(max).optional();

export const clientInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['web', 'spa', 'native', 'machine']),
    firstParty: z.boolean().default(false),
    redirectUris: z.array(redirectUri).max(20).default([]),
    postLogoutRedirectUris: z.array(redirectUri).max(20).default([]),
    backchannelLogoutUri: redirectUri.optional(),
    /** Resource servers it may get JWT access tokens for; the first is the default. */
    resources: z.array(resourceUri).max(10).default([]),
    /** API scopes it may ask for those resource servers. */
    apiScopes: z.array(apiScope).max(50).default([]),
    /** A subset of the kind's grants (e.g. a web client without refresh); default: all of them. */
    grantTypes: z
      .array(z.enum(['authorization_code', 'refresh_token', 'client_credentials']))
      .min(1)
      .optional(),
    tokenLifetimes: z
      .object({
        accessTokenSeconds: lifetime(86_400),
        idTokenSeconds: lifetime(86_400),
        refreshTokenAbsoluteDays: lifetime(365),
        refreshTokenIdleDays: lifetime(365),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.kind !== 'machine' && input.redirectUris.length === 0)
      ctx.addIssue({ code: 'custom', path: ['redirectUris'], message: 'at least one is required' });
    if (input.kind === 'machine' && input.redirectUris.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['redirectUris'],
        message: 'machine clients have none',
      });
    const allowed: readonly string[] = grantsOf[input.kind];
    for (const grant of input.grantTypes ?? []) {
      if (!allowed.includes(grant))
        ctx.addIssue({
          code: 'custom',
          path: ['grantTypes'],
          message: `${grant} is not a grant of a ${input.kind} client (${allowed.join(', ')})`,
        });
    }
    if (input.grantTypes && !input.grantTypes.includes(requiredGrant(input.kind)))
      ctx.addIssue({
        code: 'custom',
        path: ['grantTypes'],
        message: `a ${input.kind} client needs ${requiredGrant(input.kind)}`,
      });
  });

export type ClientInput = z.input<typeof clientInputSchema>;

/** Where a client's users are sent back and the resource servers it may call. */
export interface ClientLocations {
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  resources: string[];
}

/** The locations of a client (or of a registration), and nothing else. */
export const locationsOf = (client: ClientLocations): ClientLocations => ({
  redirectUris: client.redirectUris,
  postLogoutRedirectUris: client.postLogoutRedirectUris,
  resources: client.resources,
});
export type TokenLifetimes = z.output<typeof clientInputSchema>['tokenLifetimes'];

export interface OAuthClient {
  id: string;
  orgId: string;
  name: string;
  kind: store.ClientRow['kind'];
  firstParty: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  grantTypes: string[];
  resources: string[];
  apiScopes: string[];
  tokenLifetimes: TokenLifetimes;
  status: store.ClientRow['status'];
  createdAt: Date;
  /** Until when the secret replaced by the last rotation is still accepted (null: none is). */
  previousSecretValidUntil: Date | null;
}

function toClient(row: store.ClientRow): OAuthClient {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    kind: row.kind,
    firstParty: row.first_party,
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    backchannelLogoutUri: row.backchannel_logout_uri,
    grantTypes: row.grant_types,
    resources: row.resources,
    apiScopes: row.api_scopes,
    tokenLifetimes: row.token_lifetimes as TokenLifetimes,
    status: row.status,
    createdAt: row.created_at,
    previousSecretValidUntil: row.previous_secret_enc ? row.previous_secret_expires_at : null,
  };
}

export interface ClientServiceDeps {
  keyring: Keyring;
  audit: AuditWriter;
  clock: Clock;
  /** How long a replaced secret keeps working after a rotation. */
  secretOverlapHours: number;
}

export function createClientService(deps: ClientServiceDeps) {
  const { keyring, clock } = deps;
  const newSecret = () => randomToken(32); // 256 bits

  return {
    /**
     * Registers a client of `orgId`; returns it with its secret, shown this once. `fixedId` is
     * for Vigil's own clients, whose id is known in advance (the admin console's).
     */
    async create(
      tx: Tx,
      orgId: string,
      input: unknown,
      actor: AuditActor,
      fixedId?: string,
    ): Promise<{ client: OAuthClient; secret: string | null }> {
      const data = parseInput(clientInputSchema, input, oauthErrors.clientInvalid);
      const now = clock.now();
      const id = fixedId ?? newId(now.getTime());
      const secret = confidential(data.kind) ? newSecret() : null;
      const row: store.ClientRow = {
        id,
        org_id: orgId,
        name: data.name,
        kind: data.kind,
        first_party: data.firstParty,
        redirect_uris: data.redirectUris,
        post_logout_redirect_uris: data.postLogoutRedirectUris,
        backchannel_logout_uri: data.backchannelLogoutUri ?? null,
        grant_types: [...new Set(data.grantTypes ?? grantsOf[data.kind])],
        resources: [...new Set(data.resources)],
        api_scopes: [...new Set(data.apiScopes)],
        token_lifetimes: data.tokenLifetimes,
        secret_enc: secret ? keyring.encrypt(secret, { ...clientSecretColumn, rowId: id }) : null,
        previous_secret_enc: null,
        previous_secret_expires_at: null,
        status: 'active',
        created_at: now,
        updated_at: now,
      };
      await store.insertClient(tx, {
        ...row,
        token_lifetimes: JSON.stringify(data.tokenLifetimes),
      });
      const client = toClient(row);
      await deps.audit(tx, {
        orgId,
        action: 'oauth.client.created',
        actor,
        target: { type: 'oauth_client', id },
        details: {
          after: { ...client, createdAt: undefined, previousSecretValidUntil: undefined },
        },
      });
      return { client, secret };
    },

    async get(tx: Tx, id: string): Promise<OAuthClient | undefined> {
      const row = await store.findClient(tx, id);
      return row ? toClient(row) : undefined;
    },

    /** The clients of `orgId` (its own, not the platform's), or every client when omitted. */
    list: async (tx: Tx, orgId?: string) => (await store.listClients(tx, orgId)).map(toClient),

    /**
     * Disables a client: it can no longer sign anyone in or get tokens, and what it was issued
     * stops working (the provider knows no disabled client). Returns false if it already was.
     */
    async disable(tx: Tx, id: string, actor: AuditActor): Promise<boolean> {
      const row = await store.findClient(tx, id);
      if (!row) throw oauthErrors.clientNotFound();
      if (row.status === 'disabled') return false;
      await store.setStatus(tx, id, 'disabled', clock.now());
      await deps.audit(tx, {
        orgId: row.org_id,
        action: 'oauth.client.disabled',
        actor,
        target: { type: 'oauth_client', id },
        details: { before: { status: row.status }, after: { status: 'disabled' } },
      });
      return true;
    },

    /**
     * Replaces where a client's users are sent back and which resource servers it may call
     * (Vigil's own console, when the public URL changed); audited with before and after.
     */
    async updateLocations(tx: Tx, id: string, next: ClientLocations, actor: AuditActor) {
      const row = await store.findClient(tx, id);
      if (!row) throw oauthErrors.clientNotFound();
      const before: ClientLocations = {
        redirectUris: row.redirect_uris,
        postLogoutRedirectUris: row.post_logout_redirect_uris,
        resources: row.resources,
      };
      await store.updateLocations(tx, id, {
        redirect_uris: next.redirectUris,
        post_logout_redirect_uris: next.postLogoutRedirectUris,
        resources: next.resources,
        updated_at: clock.now(),
      });
      await deps.audit(tx, {
        orgId: row.org_id,
        action: 'oauth.client.updated',
        actor,
        target: { type: 'oauth_client', id },
        details: { before, after: next },
      });
    },

    /**
     * A new secret, shown once; the old one keeps working for the overlap period so that the
     * client's deployments can switch without downtime.
     */
    async rotateSecret(tx: Tx, id: string, actor: AuditActor): Promise<string> {
      const row = await store.findClient(tx, id);
      if (!row) throw oauthErrors.clientNotFound();
      if (!confidential(row.kind) || !row.secret_enc) throw oauthErrors.publicClient();
      const now = clock.now();
      const secret = newSecret();
      const previous = await keyring.decrypt(row.secret_enc, { ...clientSecretColumn, rowId: id });
      const overlapUntil = new Date(now.getTime() + deps.secretOverlapHours * 3_600_000);
      await store.updateSecrets(tx, id, {
        secret_enc: keyring.encrypt(secret, { ...clientSecretColumn, rowId: id }),
        previous_secret_enc: keyring.encrypt(previous, {
          ...previousClientSecretColumn,
          rowId: id,
        }),
        previous_secret_expires_at: overlapUntil,
        updated_at: now,
      });
      await deps.audit(tx, {
        orgId: row.org_id,
        action: 'oauth.client.secret_rotated',
        actor,
        target: { type: 'oauth_client', id },
        details: { previousValidUntil: overlapUntil.toISOString() },
      });
      return secret;
    },

    /** The client's live secrets (current first, then the previous one during its overlap). */
    async secretsOf(row: store.ClientRow): Promise<string[]> {
      const secrets: string[] = [];
      if (row.secret_enc)
        secrets.push(
          (
            await keyring.decrypt(row.secret_enc, { ...clientSecretColumn, rowId: row.id })
          ).toString(),
        );
      if (
        row.previous_secret_enc &&
        row.previous_secret_expires_at &&
        row.previous_secret_expires_at > clock.now()
      ) {
        secrets.push(
          (
            await keyring.decrypt(row.previous_secret_enc, {
              ...previousClientSecretColumn,
              rowId: row.id,
            })
          ).toString(),
        );
      }
      return secrets;
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;
export { confidential as isConfidentialKind };
