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
import type { KeyPrincipal, Rbac, UserPrincipal } from '../rbac/index.ts';
import type { TenancyService } from '../tenancy/index.ts';
import { apiKeyErrors } from './errors.ts';
import * as store from './store.ts';

export interface ApiKeyDeps {
  audit: AuditWriter;
  clock: Clock;
  database: Database;
  rbac: Rbac;
  /** A suspended organization's keys are refused until it is active again. */
  tenancy: Pick<TenancyService, 'isActive'>;
  platformOrgId: string;
}

/** What a presented key says: `vigil_` marks it for secret scanners. */
export const apiKeyPrefix = 'vigil_';

export const keyInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    permissions: z.array(z.string().min(1).max(100)).min(1).max(50),
    /** At most a year; default 90 days. */
    expiresInDays: z.number().int().min(1).max(366).default(90),
  })
  .strict();

/** A caller authenticated by an API key: its organization and its permissions only. */
export type ApiKeyPrincipal = KeyPrincipal;

export interface ApiKey {
  id: string;
  orgId: string;
  name: string;
  permissions: string[];
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
}

const toKey = (row: store.ApiKeyRow): ApiKey => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  permissions: row.permissions,
  createdBy: row.created_by,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  lastUsedAt: row.last_used_at,
  lastUsedIp: row.last_used_ip,
});

/**
 * API keys (docs/access-control.md#api-keys): bound to one organization, scoped to permissions
 * no wider than their creator's, expiring, revocable, last use recorded; the secret is shown
 * once and stored as SHA-256 (docs/architecture.md#invariant-2).
 */
export function createApiKeys(deps: ApiKeyDeps) {
  const { clock, audit } = deps;
  const inOrgScope = orgScopeRunner(deps.database, deps.platformOrgId);

  const keys = {
    /** A new key of `orgId`; `creator` null is the operator at the CLI. */
    async create(
      tx: Tx,
      orgId: string,
      input: unknown,
      creator: UserPrincipal | null,
      actor: AuditActor,
    ): Promise<{ key: ApiKey; token: string }> {
      const data = parseInput(keyInputSchema, input, apiKeyErrors.keyInvalid);
      const catalog = new Map(deps.rbac.permissions.map((p) => [p.id, p]));
      for (const id of data.permissions) {
        const permission = catalog.get(id);
        if (!permission)
          throw apiKeyErrors.keyInvalid({
            field: 'permissions',
            problem: `${id} is not a permission`,
          });
        if (permission.scope === 'platform' && orgId !== deps.platformOrgId)
          throw apiKeyErrors.keyInvalid({
            field: 'permissions',
            problem: `${id} can only be held in the platform organization`,
          });
        if (creator && !(await deps.rbac.can(tx, creator, id, orgId)))
          throw apiKeyErrors.widerThanCreator({ permission: id });
      }
      const now = clock.now();
      const split = createSplitToken(newId(now.getTime()));
      const row: store.ApiKeyRow = {
        id: split.id,
        org_id: orgId,
        name: data.name,
        secret_hash: split.secretHash,
        permissions: [...new Set(data.permissions)].sort(),
        created_by: creator?.userId ?? null,
        created_at: now,
        expires_at: new Date(now.getTime() + data.expiresInDays * 86_400_000),
        revoked_at: null,
        revoked_reason: null,
        last_used_at: null,
        last_used_ip: null,
      };
      await store.insertKey(tx, row);
      const key = toKey(row);
      await audit(tx, {
        orgId,
        action: 'apikey.created',
        actor,
        target: { type: 'api_key', id: key.id },
        details: {
          name: key.name,
          permissions: key.permissions,
          expiresAt: key.expiresAt.toISOString(),
        },
      });
      return { key, token: `${apiKeyPrefix}${split.token}` };
    },

    list: async (tx: Tx, orgId: string) => (await store.keysOf(tx, orgId)).map(toKey),

    async revoke(tx: Tx, orgId: string, id: string, reason: string, actor: AuditActor) {
      const found = await store.findKey(tx, id);
      if (found?.org_id !== orgId) throw apiKeyErrors.keyNotFound();
      const [revoked] = await store.revokeKeys(tx, { id }, clock.now(), reason);
      if (!revoked) throw apiKeyErrors.keyRevoked();
      await audit(tx, {
        orgId,
        action: 'apikey.revoked',
        actor,
        target: { type: 'api_key', id },
        details: { reason },
      });
    },

    /**
     * Deactivation: every live key the user created stops working
     * (docs/architecture.md#invariant-6).
     */
    async revokeAllCreatedBy(tx: Tx, orgId: string, userId: string, actor: AuditActor) {
      const revoked = await store.revokeKeys(
        tx,
        { createdBy: userId },
        clock.now(),
        'creator_deactivated',
      );
      for (const key of revoked) {
        await audit(tx, {
          orgId,
          action: 'apikey.revoked',
          actor,
          target: { type: 'api_key', id: key.id },
          details: { reason: 'creator_deactivated' },
        });
      }
      return revoked.length;
    },

    /**
     * The principal behind a presented key, or undefined (unknown, wrong, expired, revoked, or
     * its organization suspended: it works again once the organization is reactivated).
     */
    async authenticate(presented: string, ip: string | null): Promise<ApiKeyPrincipal | undefined> {
      const parsed = readPrefixedToken(presented, apiKeyPrefix);
      if (!parsed) return undefined;
      return withPlatform(deps.database, async (tx) => {
        const row = await store.findKey(tx, parsed.id);
        if (!row || !splitTokenMatches(parsed.secret, row.secret_hash)) return undefined;
        const now = clock.now();
        if (row.revoked_at || row.expires_at <= now) return undefined;
        if (!(await deps.tenancy.isActive(tx, row.org_id))) return undefined;
        if (useWorthRecording(row.last_used_at, now)) await store.recordUse(tx, row.id, now, ip);
        return {
          apiKeyId: row.id,
          orgId: row.org_id,
          permissions: row.permissions,
          createdBy: row.created_by,
        };
      });
    },
  };
  return {
    ...keys,
    /** `create`, by the operator, in the organization's own transaction. */
    createInOrg: (orgId: string, input: Parameters<typeof keys.create>[2], actor: AuditActor) =>
      inOrgScope(orgId, (tx) => keys.create(tx, orgId, input, null, actor)),
    listInOrg: (orgId: string) => inOrgScope(orgId, (tx) => keys.list(tx, orgId)),
    revokeInOrg: (orgId: string, id: string, reason: string, actor: AuditActor) =>
      inOrgScope(orgId, (tx) => keys.revoke(tx, orgId, id, reason, actor)),
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
