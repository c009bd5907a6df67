import {
  type AuditActor,
  type AuditWriter,
  type ChangeFeed,
  type Clock,
  type Database,
  newId,
  type Tx,
  type Versioned,
  versionedPolicy,
  type WindowCounter,
  withPlatform,
} from '../../platform/index.ts';
import * as deviceStore from './devices.store.ts';
import { createTrustedDevices, type TrustedDevice } from './devices.ts';
import {
  afterFailure,
  type Counter,
  defaultLockoutPolicy,
  type Factor,
  freshCounter,
  type Gate,
  gate,
  type LockoutPolicy,
  lockoutPolicySchema,
} from './model.ts';
import * as store from './store.ts';

export interface LockoutDeps {
  audit: AuditWriter;
  clock: Clock;
  /** Tells every node of a policy change (src/platform/db/notify.ts). */
  changes?: ChangeFeed;
  database: Database;
  /** Failed sign-ins one client address may cause across all accounts per window. */
  ipMaxFailures: number;
  ipWindowMinutes: number;
  /** Where the per-address windows live when not in PostgreSQL (Redis). */
  ipCounter?: WindowCounter;
}

export interface Account {
  id: string;
  orgId: string;
}

/** An attempt on one factor of one account, between `attempt` and the one call that ends it. */
export type Attempt = Gate & {
  failed(actor: AuditActor): Promise<'temporary' | 'permanent' | null>;
  refused(): Promise<void>;
  succeeded(): Promise<void>;
};

export function createLockoutService(deps: LockoutDeps) {
  const policies = versionedPolicy({
    kind: 'lockout',
    schema: lockoutPolicySchema,
    defaults: defaultLockoutPolicy,
    audit: deps.audit,
    clock: deps.clock,
    changes: deps.changes,
  });
  const devices = createTrustedDevices(deps);
  const ipKey = (ip: string, window: Date) => `signin-ip:${ip}:${window.getTime()}`;
  const windowOf = (now: Date) => {
    const size = deps.ipWindowMinutes * 60_000;
    return new Date(Math.floor(now.getTime() / size) * size);
  };
  /** Whether a client address is still below the cross-account failure limit (platform scope). */
  async function ipAllowedIn(tx: Tx, ip: string): Promise<boolean> {
    const window = windowOf(deps.clock.now());
    const failures = deps.ipCounter
      ? await deps.ipCounter.get(ipKey(ip, window))
      : await store.ipFailures(tx, ip, window);
    return failures < deps.ipMaxFailures;
  }

  return {
    /** Browsers the accounts have signed in from (device cookies). */
    devices,
    policy: (tx: Tx, orgId: string): Promise<Versioned<LockoutPolicy>> =>
      policies.current(tx, orgId),
    setPolicy: policies.set,

    /**
     * Starts an attempt on this factor: reads the counter (locked for the rest of the transaction,
     * so concurrent failures all count) and says whether the attempt may be checked now. Every
     * attempt then ends with exactly one of `failed`, `refused` or `succeeded`, and the refusals
     * do the same statements whatever the reason, so that the time of an answer does not tell a
     * locked account from a wrong password (docs/authentication.md#timing).
     */
    async attempt(
      tx: Tx,
      account: Account,
      factor: Factor,
      /** A browser the account has signed in from: its own counter instead of the account's. */
      device: TrustedDevice | null = null,
    ): Promise<Attempt> {
      const { policy } = await policies.current(tx, account.orgId);
      const counter = device
        ? device.counter
        : ((await store.counterForUpdate(tx, account.id, factor)) ?? freshCounter);
      const now = deps.clock.now();
      const save = (next: Counter) =>
        device
          ? deviceStore.saveDeviceCounter(tx, device.id, next)
          : store.saveCounter(tx, account.id, account.orgId, factor, next);
      return {
        ...gate(policy, counter, now),
        /** A wrong factor: counted; at the threshold it locks (audited). Returns the new lock. */
        async failed(actor) {
          const next = afterFailure(policy, counter, now);
          await save(next.counter);
          if (next.locked) {
            await deps.audit(tx, {
              orgId: account.orgId,
              action: 'auth.account.locked',
              outcome: 'denied',
              actor,
              target: { type: 'user', id: account.id },
              details: {
                factor,
                deviceId: device?.id ?? null,
                failures: next.counter.failures,
                permanent: next.locked === 'permanent',
                lockedUntil:
                  next.locked === 'permanent' ? null : next.counter.lockedUntil?.toISOString(),
              },
            });
          }
          return next.locked;
        },
        /** Refused without counting (a closed gate, an unusable account): the counter as it was. */
        async refused() {
          await save(counter);
        },
        /** The factor was right: earlier failures are cleared. */
        async succeeded() {
          if (counter.failures > 0 || counter.lockCount > 0) await save(freshCounter);
        },
      };
    },

    /**
     * For a sign-in without an account (an unknown email), in a platform transaction: the
     * statements an account's refused attempt sends (the devices when the browser presents
     * tokens, a read where the counter's is, a write of the counter), for an account that does not
     * exist, so that the time of the answer does not tell (docs/authentication.md#timing), as
     * `verifyWithoutAccount` does for the hash. The read is the address's failures, read again
     * in place of the counter. Returns whether the address may try.
     */
    async refusedWithoutAccount(
      tx: Tx,
      ip: string,
      deviceTokens: readonly string[],
    ): Promise<boolean> {
      const nobody = { id: newId() };
      await devices.presented(tx, nobody, deviceTokens);
      const allowed = await ipAllowedIn(tx, ip);
      // With Redis that was no statement; an account's counter read is one.
      if (deps.ipCounter) await store.counterForUpdate(tx, nobody.id, 'password');
      await store.rewriteCounter(tx, nobody.id, 'password');
      return allowed;
    },

    /** An administrator lifts a temporary or permanent lock on both factors and every device (audited). */
    async unlock(tx: Tx, account: Account, actor: AuditActor): Promise<boolean> {
      let lifted = false;
      for (const factor of ['password', 'second_factor'] as const) {
        const counter = await store.counterForUpdate(tx, account.id, factor);
        if (counter && (counter.lockedPermanently || counter.lockedUntil || counter.failures > 0)) {
          await store.saveCounter(tx, account.id, account.orgId, factor, freshCounter);
          lifted = true;
        }
      }
      // The browsers the account has signed in from count on their own: theirs are lifted too.
      if ((await deviceStore.clearDeviceCounters(tx, account.id)) > 0) lifted = true;
      await deps.audit(tx, {
        orgId: account.orgId,
        action: 'auth.account.unlocked',
        actor,
        target: { type: 'user', id: account.id },
        details: { wasLocked: lifted },
      });
      return lifted;
    },

    ipAllowedIn,

    /** Counts a failed sign-in from a client address (any account, any organization). */
    async recordIpFailure(ip: string): Promise<number> {
      const now = deps.clock.now();
      if (deps.ipCounter) {
        return deps.ipCounter.increment(ipKey(ip, windowOf(now)), deps.ipWindowMinutes * 60 * 2);
      }
      return withPlatform(deps.database, async (tx) => {
        await store.deleteIpWindowsBefore(
          tx,
          new Date(windowOf(now).getTime() - deps.ipWindowMinutes * 60_000),
        );
        return store.addIpFailure(tx, ip, windowOf(now));
      });
    },
  };
}

export type LockoutService = ReturnType<typeof createLockoutService>;
