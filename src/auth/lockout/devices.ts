import { createSplitToken, readSplitToken, splitTokenMatches } from '../../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  newId,
  type Tx,
} from '../../platform/index.ts';
import * as store from './devices.store.ts';
import type { Counter } from './model.ts';

/**
 * Device cookies (the OWASP pattern against lockout as a denial of service): a browser that has
 * signed in to an account carries a token for it, and its failed passwords count on a counter of
 * its own, apart from the account's counter for every other client. An attacker's failures then
 * lock out only browsers the account has never used; a wrong password with a valid device token
 * still counts, on that device. The token is a split token, per user and per browser: only the
 * SHA-256 of its secret is stored (DESIGN §5.2), and revoking it (password reset, deactivation)
 * makes it count as no token at all.
 */
export interface TrustedDevice {
  id: string;
  counter: Counter;
}

/** How long a device stays trusted after its last sign-in (and the cookie's lifetime). */
export const deviceDays = 365;
/** Most device tokens one browser keeps (one per account signed in there). */
export const maxDeviceTokens = 5;

export function createTrustedDevices(deps: { audit: AuditWriter; clock: Clock }) {
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
      const since = new Date(deps.clock.now().getTime() - deviceDays * 86_400_000);
      const rows = await store.liveDevicesForUpdate(
        tx,
        account.id,
        parsed.map((t) => t.id),
        since,
      );
      const row = rows.find((r) =>
        parsed.some((t) => t.id === r.id && splitTokenMatches(t.secret, r.secret_hash)),
      );
      return row ? { id: row.id, counter: store.counterOf(row) } : null;
    },

    /**
     * After a completed sign-in: the device it came from is used again; a browser without one gets
     * a new token (audited), returned once for its cookie. Null when the browser keeps its own.
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
      });
      await deps.audit(tx, {
        orgId: account.orgId,
        action: 'auth.device.trusted',
        actor,
        target: { type: 'user', id: account.id },
        details: { deviceId: token.id },
      });
      return token.token;
    },

    /** Revokes every device of the user (password reset, deactivation); audited when any was live. */
    async revokeAll(
      tx: Tx,
      account: { id: string; orgId: string },
      reason: string,
      actor: AuditActor,
    ): Promise<number> {
      const ids = await store.revokeDevices(tx, account.id, deps.clock.now());
      if (ids.length > 0) {
        await deps.audit(tx, {
          orgId: account.orgId,
          action: 'auth.device.revoked',
          actor,
          target: { type: 'user', id: account.id },
          details: { reason, deviceIds: ids },
        });
      }
      return ids.length;
    },
  };
}

export type TrustedDevices = ReturnType<typeof createTrustedDevices>;
