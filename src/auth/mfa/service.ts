import { z } from 'zod';
import { hashPassword, type Keyring, randomBytesOf, verifyPassword } from '../../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type ChangeFeed,
  type Clock,
  newId,
  type Tx,
  type Versioned,
  versionedPolicy,
} from '../../platform/index.ts';
import { mfaErrors } from './errors.ts';
import { newRecoveryCode, normalizeRecoveryCode, recoveryCodeCount } from './recovery.ts';
import * as store from './store.ts';
import { acceptTotp, totpSecretBase32, totpUri } from './totp.ts';

export const mfaPolicySchema = z
  .object({
    /** Every member of the organization must use a second factor. */
    required: z.boolean(),
    /** Days a member may still sign in without one after MFA became required for them. */
    gracePeriodDays: z.number().int().min(1).max(90).nullable(),
  })
  .strict();

export type MfaPolicy = z.output<typeof mfaPolicySchema>;
export const defaultMfaPolicy: MfaPolicy = { required: false, gracePeriodDays: null };

export const mfaSecretColumn = { table: 'mfa_factors', column: 'secret_enc', idColumn: 'id' };

export interface MfaUser {
  id: string;
  orgId: string;
  email: string;
}

export interface Factor {
  id: string;
  kind: 'totp' | 'webauthn';
  label: string;
  createdAt: Date;
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface MfaDeps {
  audit: AuditWriter;
  clock: Clock;
  /** Tells every node of a policy change (src/platform/db/notify.ts). */
  changes?: ChangeFeed;
  keyring: Keyring;
  /** Shown in authenticator apps. */
  issuer: string;
}

const toFactor = (r: store.FactorRow): Factor => ({
  id: r.id,
  kind: r.kind,
  label: r.label,
  createdAt: r.created_at,
  confirmedAt: r.confirmed_at,
  lastUsedAt: r.last_used_at,
});

export function createMfaService(deps: MfaDeps) {
  const policies = versionedPolicy({
    kind: 'mfa',
    schema: mfaPolicySchema,
    defaults: defaultMfaPolicy,
    audit: deps.audit,
    clock: deps.clock,
    changes: deps.changes,
  });
  const seedOf = (row: store.FactorRow) =>
    deps.keyring.decrypt(row.secret_enc ?? '', { ...mfaSecretColumn, rowId: row.id });

  /** Ten new codes replace any earlier ones; the hashes are stored and the issue audited. */
  async function issueRecoveryCodes(
    tx: Tx,
    user: MfaUser,
    actor: AuditActor,
    replaced: boolean,
  ): Promise<string[]> {
    const codes = Array.from({ length: recoveryCodeCount }, newRecoveryCode);
    const at = deps.clock.now();
    const rows = await Promise.all(
      codes.map(async (code) => ({
        id: newId(at.getTime()),
        org_id: user.orgId,
        user_id: user.id,
        hash: await hashPassword(code),
        created_at: at,
      })),
    );
    await store.replaceRecoveryCodes(tx, rows, user.id);
    await deps.audit(tx, {
      orgId: user.orgId,
      action: 'mfa.recovery_codes.generated',
      actor,
      target: { type: 'user', id: user.id },
      details: replaced ? { count: codes.length, replaced } : { count: codes.length },
    });
    return codes;
  }

  return {
    policy: (tx: Tx, orgId: string): Promise<Versioned<MfaPolicy>> => policies.current(tx, orgId),
    setPolicy: policies.set,

    async factors(tx: Tx, userId: string): Promise<Factor[]> {
      return (await store.factorsOf(tx, userId)).map(toFactor);
    },

    /** Users of an organization who have a confirmed second factor (exports, reviews). */
    usersWithFactor: store.usersWithFactor,

    async hasFactor(tx: Tx, userId: string): Promise<boolean> {
      return store.hasConfirmedFactor(tx, userId);
    },

    /** A new, unconfirmed TOTP factor: the seed (shown once) and its otpauth:// URI for the QR code. */
    async startTotp(tx: Tx, user: MfaUser, label = 'Authenticator app') {
      await store.deletePendingTotp(tx, user.id);
      const at = deps.clock.now();
      const id = newId(at.getTime());
      const seed = randomBytesOf(20);
      await store.insertFactor(tx, {
        id,
        org_id: user.orgId,
        user_id: user.id,
        kind: 'totp',
        label,
        secret_enc: deps.keyring.encrypt(seed, { ...mfaSecretColumn, rowId: id }),
        last_used_step: null,
        credential_id: null,
        public_key: null,
        sign_count: null,
        transports: null,
        created_at: at,
        confirmed_at: null,
        last_used_at: null,
      });
      return {
        factorId: id,
        uri: totpUri(seed, deps.issuer, user.email),
        secret: totpSecretBase32(seed),
      };
    },

    /**
     * Confirms a pending TOTP factor with a first code. Returns fresh recovery codes (shown once)
     * when the user had none.
     */
    async confirmTotp(
      tx: Tx,
      user: MfaUser,
      factorId: string,
      code: string,
      actor: AuditActor,
    ): Promise<{ recoveryCodes: string[] | null }> {
      const row = (await store.factorsOf(tx, user.id)).find(
        (f) => f.id === factorId && f.kind === 'totp',
      );
      if (!row || row.confirmed_at) throw mfaErrors.noPendingFactor();
      const step = acceptTotp(await seedOf(row), code.trim(), deps.clock.now(), null);
      if (step === null) throw mfaErrors.codeInvalid();
      await store.confirmFactor(tx, row.id, deps.clock.now(), step);
      await deps.audit(tx, {
        orgId: user.orgId,
        action: 'mfa.factor.enrolled',
        actor,
        target: { type: 'user', id: user.id },
        details: { factorId: row.id, kind: 'totp', label: row.label },
      });
      const hasCodes = (await store.unusedRecoveryCodes(tx, user.id)).length > 0;
      if (hasCodes) return { recoveryCodes: null };
      return { recoveryCodes: await issueRecoveryCodes(tx, user, actor, false) };
    },

    /** Checks a TOTP code against the user's confirmed factors; a step is accepted only once. */
    async verifyTotp(tx: Tx, user: MfaUser, code: string): Promise<boolean> {
      const now = deps.clock.now();
      for (const row of await store.factorsOf(tx, user.id)) {
        if (row.kind !== 'totp' || !row.confirmed_at) continue;
        const last = row.last_used_step === null ? null : Number(row.last_used_step);
        const step = acceptTotp(await seedOf(row), code.trim(), now, last);
        if (step !== null && (await store.claimStep(tx, row.id, step, now))) return true;
      }
      return false;
    },

    /** Uses up one recovery code (audited with how many remain). */
    async useRecoveryCode(
      tx: Tx,
      user: MfaUser,
      input: string,
      actor: AuditActor,
    ): Promise<boolean> {
      const code = normalizeRecoveryCode(input);
      const unused = await store.unusedRecoveryCodes(tx, user.id);
      for (const row of unused) {
        if (
          (await verifyPassword(row.hash, code)) &&
          (await store.markRecoveryCodeUsed(tx, row.id, deps.clock.now()))
        ) {
          await deps.audit(tx, {
            orgId: user.orgId,
            action: 'mfa.recovery_code.used',
            actor,
            target: { type: 'user', id: user.id },
            details: { remaining: unused.length - 1 },
          });
          return true;
        }
      }
      return false;
    },

    async regenerateRecoveryCodes(tx: Tx, user: MfaUser, actor: AuditActor): Promise<string[]> {
      return issueRecoveryCodes(tx, user, actor, true);
    },

    async remainingRecoveryCodes(tx: Tx, userId: string): Promise<number> {
      return (await store.unusedRecoveryCodes(tx, userId)).length;
    },

    /** Removes a factor; the last confirmed one cannot go while MFA is required for the user. */
    async removeFactor(
      tx: Tx,
      user: MfaUser,
      factorId: string,
      mfaRequired: boolean,
      actor: AuditActor,
    ): Promise<void> {
      const rows = await store.factorsOf(tx, user.id);
      const target = rows.find((f) => f.id === factorId);
      if (!target) throw mfaErrors.factorNotFound();
      const confirmed = rows.filter((f) => f.confirmed_at !== null);
      if (mfaRequired && target.confirmed_at && confirmed.length === 1) {
        throw mfaErrors.lastFactor();
      }
      await store.deleteFactor(tx, user.id, factorId);
      await deps.audit(tx, {
        orgId: user.orgId,
        action: 'mfa.factor.removed',
        actor,
        target: { type: 'user', id: user.id },
        details: { factorId, kind: target.kind, label: target.label },
      });
    },

    /**
     * An administrator's reset (a lost device): every factor and recovery code goes. Where MFA is
     * required, the user enrolls again right after their next password (the sign-in flow).
     */
    async resetFactors(tx: Tx, user: MfaUser, reason: string, actor: AuditActor): Promise<number> {
      const removed = await store.deleteEverything(tx, user.id);
      await deps.audit(tx, {
        orgId: user.orgId,
        action: 'mfa.factors.reset',
        actor,
        target: { type: 'user', id: user.id },
        details: {
          reason,
          removed: removed.map((f) => ({ id: f.id, kind: f.kind, label: f.label })),
        },
      });
      return removed.length;
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
