import { createSplitToken, readSplitToken, splitTokenMatches } from '../../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  isUuid,
  newId,
  type Tx,
  withPlatform,
} from '../../platform/index.ts';
import * as store from './devices.store.ts';
import type { Counter } from './model.ts';

/**
 * Device cookies (the OWASP pattern against lockout as a denial of service): a browser that has
 * signed in to an account carries a token for it, and its failed passwords count on a counter of
 * its own, apart from the account's counter for every other client. An attacker's failures then
 * lock out only browsers the account has never used; a wrong password with a valid device token
 * still counts, on that device. The token is a split token, per user and per browser: only the
 * SHA-256 of its secret is stored (docs/architecture.md#invariant-2), and revoking it (password
 * reset, deactivation, its owner or an administrator forgetting it, the cap per user) makes it
 * count as no token.
 */
export interface TrustedDevice {
  id: string;
  counter: Counter;
}

/** How long a device stays trusted after its last sign-in (and the cookie's lifetime). */
export const deviceDays = 365;
/** Most device tokens one browser keeps (one per account signed in there). */
export const maxDeviceTokens = 5;
/**
 * Most devices one user keeps trusted: a client that drops its cookies gets a new device at every
 * sign-in, and beyond this many the least recently used are revoked, so the table cannot grow
 * without bound (the sweep then deletes them).
 */
export const maxDevicesPerUser = 20;

/** A trusted browser as its owner and administrators see it (never its token or hash). */
export interface TrustedBrowser {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
}

export function createTrustedDevices(deps: {
  audit: AuditWriter;
  clock: Clock;
  database: Database;
}) {
  const trustedSince = () => new Date(deps.clock.now().getTime() - deviceDays * 86_400_000);

  /** Revokes the user's live devices (those in `ids`, when given), audited with the reason. */
  async function revoke(
    tx: Tx,
    account: { id: string; orgId: string },
    reason: string,
    actor: AuditActor,
    ids?: readonly string[],
  ): Promise<string[]> {
    const revoked = await store.revokeDevices(tx, account.id, deps.clock.now(), ids);
    if (revoked.length > 0) await auditRevoked(tx, account, reason, actor, revoked);
    return revoked;
  }

  function auditRevoked(
    tx: Tx,
    account: { id: string; orgId: string },
    reason: string,
    actor: AuditActor,
    deviceIds: string[],
  ): Promise<void> {
    return deps.audit(tx, {
      orgId: account.orgId,
      action: 'auth.device.revoked',
      actor,
      target: { type: 'user', id: account.id },
      details: { reason, deviceIds },
    });
  }

  return {
    /**
     * The account's live device among the tokens a browser presents (locked for the rest of the
     * transaction), or null: tokens of other accounts, revoked, expired or forged ones count as
     * none.
     */
    async presented(
      tx: Tx,
      account: { id: string },
      tokens: readonly string[],
    ): Promise<TrustedDevice | null> {
      const parsed = tokens
        .slice(0, maxDeviceTokens)
        .map(readSplitToken)
        .filter((t) => t !== null);
      if (parsed.length === 0) return null;
      const rows = await store.liveDevicesForUpdate(
        tx,
        account.id,
        parsed.map((t) => t.id),
        trustedSince(),
      );
      const row = rows.find((r) =>
        parsed.some((t) => t.id === r.id && splitTokenMatches(t.secret, r.secret_hash)),
      );
      return row ? { id: row.id, counter: store.counterOf(row) } : null;
    },

    /**
     * After a completed sign-in: the device it came from is used again; a browser without one gets
     * a new token (audited), returned once for its cookie, and the user's least recently used
     * devices beyond `maxDevicesPerUser` are revoked (audited, reason `limit`). Null when the
     * browser keeps its own.
     */
    async signedIn(
      tx: Tx,
      account: { id: string; orgId: string },
      device: TrustedDevice | null,
      actor: AuditActor,
    ): Promise<string | null> {
      const now = deps.clock.now();
      if (device) {
        await store.touchDevice(tx, device.id, now);
        return null;
      }
      const token = createSplitToken(newId(now.getTime()));
      await store.insertDevice(tx, {
        id: token.id,
        org_id: account.orgId,
        user_id: account.id,
        secret_hash: token.secretHash,
        created_at: now,
        last_used_at: now,
        user_agent: actor.userAgent?.slice(0, 500) ?? null,
      });
      await deps.audit(tx, {
        orgId: account.orgId,
        action: 'auth.device.trusted',
        actor,
        target: { type: 'user', id: account.id },
        details: { deviceId: token.id },
      });
      const dropped = await store.revokeAllButNewest(tx, account.id, maxDevicesPerUser, now);
      if (dropped.length > 0) await auditRevoked(tx, account, 'limit', actor, dropped);
      return token.token;
    },

    /** The user's trusted browsers, most recently used first. */
    async list(tx: Tx, userId: string): Promise<TrustedBrowser[]> {
      const rows = await store.liveDevices(tx, userId, trustedSince());
      return rows.map((r) => ({
        id: r.id,
        createdAt: r.created_at,
        lastUsedAt: r.last_used_at,
        userAgent: r.user_agent,
      }));
    },

    /** Forgets one trusted browser of the user (audited); false when it is not one of theirs. */
    async revokeOne(
      tx: Tx,
      account: { id: string; orgId: string },
      deviceId: string,
      reason: string,
      actor: AuditActor,
    ): Promise<boolean> {
      if (!isUuid(deviceId)) return false;
      return (await revoke(tx, account, reason, actor, [deviceId])).length > 0;
    },

    /**
     * Revokes every device of the user (password reset, deactivation, the owner's or an
     * administrator's choice); audited when any was live. Returns how many.
     */
    async revokeAll(
      tx: Tx,
      account: { id: string; orgId: string },
      reason: string,
      actor: AuditActor,
    ): Promise<number> {
      return (await revoke(tx, account, reason, actor)).length;
    },

    /**
     * Deletes devices that count for nothing any more, revoked or unused for `deviceDays`, in
     * batches (platform scope). Their revocation was audited when it happened, and an expired
     * device was never revoked: it stopped counting at its deadline, so its row goes unannounced,
     * as an abandoned sign-in flow's does. Returns how many.
     */
    async sweep(batch = 500): Promise<number> {
      let total = 0;
      for (;;) {
        const deleted = await withPlatform(deps.database, (tx) =>
          store.deleteDeadDevices(tx, trustedSince(), batch),
        );
        total += deleted;
        if (deleted < batch) return total;
      }
    },
  };
}

export type TrustedDevices = ReturnType<typeof createTrustedDevices>;
