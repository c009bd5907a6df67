import { z } from 'zod';
import {
  createSplitToken,
  readPrefixedToken,
  splitTokenMatches,
  useWorthRecording,
} from '../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  newId,
  orgScopeRunner,
  parseInput,
  type Tx,
  withPlatform,
} from '../platform/index.ts';
import type { TenancyService } from '../tenancy/index.ts';
import { scimErrors } from './errors.ts';
import * as store from './tokens.store.ts';

export interface ScimTokenDeps {
  audit: AuditWriter;
  clock: Clock;
  database: Database;
  /** A suspended organization's directory is refused until the organization is active again. */
  tenancy: Pick<TenancyService, 'isActive'>;
  platformOrgId: string;
}

/**
 * What a presented SCIM token starts with: secret scanners find it, and neither it nor an API
 * key (`vigil_<id>.…`) parses as the other.
 */
export const scimTokenPrefix = 'vigil_scim_';

export const scimTokenInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** At most a year; default 180 days (a directory's connector is set up rarely). */
    expiresInDays: z.number().int().min(1).max(365).default(180),
  })
  .strict();

export type ScimTokenInput = z.input<typeof scimTokenInputSchema>;

/** A SCIM token as its organization's administrators see it (never its secret). */
export interface ScimToken {
  id: string;
  orgId: string;
  name: string;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
}

/** Who a SCIM request acts as: one organization's directory, through one token. */
export interface ScimCaller {
  orgId: string;
  tokenId: string;
  name: string;
}

const toToken = (row: store.ScimTokenRow): ScimToken => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  createdBy: row.created_by,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  revokedBy: row.revoked_by,
  lastUsedAt: row.last_used_at,
  lastUsedIp: row.last_used_ip,
});

/** The person behind an audit actor, for created_by / revoked_by (the operator is nobody). */
const userOf = (actor: AuditActor) => (actor.type === 'user' ? (actor.id ?? null) : null);

/**
 * SCIM bearer tokens (docs/scim.md#tokens): one organization each, acting only on its SCIM
 * resources; expiring, revocable, last use recorded; the secret is shown once and stored as
 * SHA-256 (docs/architecture.md#invariant-2).
 */
export function createScimTokens(deps: ScimTokenDeps) {
  const { clock, audit } = deps;
  const inOrgScope = orgScopeRunner(deps.database, deps.platformOrgId);

  const tokens = {
    /** A new token of `orgId`: its metadata, and the token itself, which is never shown again. */
    async create(
      tx: Tx,
      orgId: string,
      input: unknown,
      actor: AuditActor,
    ): Promise<{ scimToken: ScimToken; token: string }> {
      const data = parseInput(scimTokenInputSchema, input, scimErrors.tokenInvalid);
      const now = clock.now();
      const split = createSplitToken(newId(now.getTime()));
      const row: store.ScimTokenRow = {
        id: split.id,
        org_id: orgId,
        name: data.name,
        secret_hash: split.secretHash,
        created_by: userOf(actor),
        created_at: now,
        expires_at: new Date(now.getTime() + data.expiresInDays * 86_400_000),
        revoked_at: null,
        revoked_by: null,
        last_used_at: null,
        last_used_ip: null,
      };
      await store.insertToken(tx, row);
      const scimToken = toToken(row);
      await audit(tx, {
        orgId,
        action: 'scim.token.created',
        actor,
        target: { type: 'scim_token', id: scimToken.id },
        details: { name: scimToken.name, expiresAt: scimToken.expiresAt.toISOString() },
      });
      return { scimToken, token: `${scimTokenPrefix}${split.token}` };
    },

    list: async (tx: Tx, orgId: string) => (await store.tokensOf(tx, orgId)).map(toToken),

    async revoke(tx: Tx, orgId: string, tokenId: string, actor: AuditActor): Promise<ScimToken> {
      const found = await store.findToken(tx, tokenId);
      if (found?.org_id !== orgId) throw scimErrors.tokenNotFound();
      const revoked = await store.revokeToken(tx, tokenId, clock.now(), userOf(actor));
      if (!revoked) throw scimErrors.tokenRevoked();
      await audit(tx, {
        orgId,
        action: 'scim.token.revoked',
        actor,
        target: { type: 'scim_token', id: tokenId },
        details: { name: revoked.name },
      });
      return toToken(revoked);
    },

    /**
     * The directory behind a presented token, or null: malformed, unknown, wrong secret,
     * expired, revoked, or its organization suspended (it works again once the organization is
     * reactivated). A token found or not costs the same lookup, hash comparison and
     * organization read.
     */
    async authenticate(presented: string, ip: string): Promise<ScimCaller | null> {
      const parsed = readPrefixedToken(presented, scimTokenPrefix);
      if (!parsed) return null;
      return withPlatform(deps.database, async (tx) => {
        const row = await store.findToken(tx, parsed.id);
        const matches = splitTokenMatches(parsed.secret, row?.secret_hash);
        const orgActive = await deps.tenancy.isActive(tx, row?.org_id ?? deps.platformOrgId);
        const now = clock.now();
        if (!row || !matches || !orgActive) return null;
        if (row.revoked_at || row.expires_at <= now) return null;
        if (useWorthRecording(row.last_used_at, now)) await store.recordUse(tx, row.id, now, ip);
        return { orgId: row.org_id, tokenId: row.id, name: row.name };
      });
    },
  };
  return {
    ...tokens,
    /** `create` in the organization's own transaction (the operator at the CLI, tests). */
    createInOrg: (orgId: string, input: ScimTokenInput, actor: AuditActor) =>
      inOrgScope(orgId, (tx) => tokens.create(tx, orgId, input, actor)),
    listInOrg: (orgId: string) => inOrgScope(orgId, (tx) => tokens.list(tx, orgId)),
    revokeInOrg: (orgId: string, tokenId: string, actor: AuditActor) =>
      inOrgScope(orgId, (tx) => tokens.revoke(tx, orgId, tokenId, actor)),
  };
}

export type ScimTokens = ReturnType<typeof createScimTokens>;
