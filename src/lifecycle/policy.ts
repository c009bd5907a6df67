import { z } from 'zod';
import {
  type AuditWriter,
  type ChangeFeed,
  type Clock,
  type Tx,
  type Versioned,
  versionedPolicy,
} from '../platform/index.ts';

/**
 * An organization's lifecycle policy (docs/lifecycle.md#lifecycle-policy): when an unused account
 * is suspended as dormant, how long before that its user and the administrators are warned, and
 * the deprovisioning SLA the leavers' report measures against.
 */
export const lifecyclePolicySchema = z
  .object({
    /**
     * Days without a sign-in (or since creation, for a user who never signed in) after which an
     * active user is suspended; null: never.
     */
    dormantDays: z.number().int().min(30).max(365).nullable(),
    /** Days before that suspension the user and the administrators are warned by mail (0: no warning). */
    warnDays: z.number().int().min(0).max(30),
    /** Hours within which a leaver must have lost every access (the SLA report's yardstick). */
    slaHours: z.number().int().min(1).max(720),
  })
  .strict()
  .refine((p) => p.dormantDays === null || p.warnDays < p.dormantDays, {
    message: 'warnDays must be fewer than dormantDays',
    path: ['warnDays'],
  });

export type LifecyclePolicy = z.output<typeof lifecyclePolicySchema>;

/** Off by default: no account is suspended for being unused until an administrator says so. */
export const defaultLifecyclePolicy: LifecyclePolicy = {
  dormantDays: null,
  warnDays: 7,
  slaHours: 24,
};

/** Named settings an administrator may pick (the password policy's preset names). */
export const lifecyclePresets: Record<string, LifecyclePolicy> = {
  /** SOC 2 auditors look for unused accounts disabled within a quarter and leavers within a day. */
  'soc2-baseline': { dormantDays: 90, warnDays: 7, slaHours: 24 },
};

/** The lifecycle policy of each organization: versioned, every change audited (`policy.lifecycle.changed`). */
export function createLifecyclePolicy(deps: {
  audit: AuditWriter;
  clock: Clock;
  /** Tells every node of a change (src/platform/db/notify.ts). */
  changes?: ChangeFeed;
}) {
  const policies = versionedPolicy({
    kind: 'lifecycle',
    schema: lifecyclePolicySchema,
    defaults: defaultLifecyclePolicy,
    presets: lifecyclePresets,
    audit: deps.audit,
    clock: deps.clock,
    changes: deps.changes,
  });
  return {
    policy: (tx: Tx, orgId: string): Promise<Versioned<LifecyclePolicy>> =>
      policies.current(tx, orgId),
    setPolicy: policies.set,
  };
}

export type LifecyclePolicyService = ReturnType<typeof createLifecyclePolicy>;
