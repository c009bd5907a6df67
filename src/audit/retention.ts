import { z } from 'zod';
import {
  type AuditActor,
  type AuditWriter,
  type ChangeFeed,
  type Clock,
  type Tx,
  type Versioned,
  versionedPolicy,
} from '../platform/index.ts';

/** The seed's one year: no organization keeps its audit events for less. */
export const retentionFloorDays = 365;

/**
 * An organization's audit retention (docs/audit.md#retention-and-archives): how long its archived
 * events are kept, and a legal hold that blocks every purge of a month holding its events.
 */
export const retentionPolicySchema = z
  .object({
    retentionDays: z
      .number()
      .int()
      .min(retentionFloorDays, {
        error: `must be at least ${retentionFloorDays}: audit logs are kept for a year at least`,
      })
      .max(36_500),
    legalHold: z.boolean(),
    legalHoldReason: z.string().trim().min(1).max(500).nullable(),
  })
  .strict()
  .refine((p) => !p.legalHold || p.legalHoldReason !== null, {
    error: 'a legal hold needs a reason',
    path: ['legalHoldReason'],
  });

export type RetentionPolicy = z.output<typeof retentionPolicySchema>;

export const defaultRetentionPolicy: RetentionPolicy = {
  retentionDays: 400,
  legalHold: false,
  legalHoldReason: null,
};

/** The retention policy of each organization: versioned, changes audited (`policy.retention.changed`). */
export function createRetentionPolicy(deps: {
  audit: AuditWriter;
  clock: Clock;
  changes?: ChangeFeed;
}) {
  const policies = versionedPolicy({
    kind: 'retention',
    schema: retentionPolicySchema,
    defaults: defaultRetentionPolicy,
    audit: deps.audit,
    clock: deps.clock,
    changes: deps.changes,
  });
  /** A change of some fields; the others stay as they are. */
  async function change(
    tx: Tx,
    orgId: string,
    fields: Partial<RetentionPolicy>,
    actor: AuditActor,
  ): Promise<Versioned<RetentionPolicy>> {
    const { policy } = await policies.current(tx, orgId);
    return policies.set(tx, orgId, { ...policy, ...fields }, actor);
  }
  return {
    policy: (tx: Tx, orgId: string): Promise<Versioned<RetentionPolicy>> =>
      policies.current(tx, orgId),
    setPolicy: policies.set,
    change,
    hold: (tx: Tx, orgId: string, reason: string, actor: AuditActor) =>
      change(tx, orgId, { legalHold: true, legalHoldReason: reason }, actor),
    release: (tx: Tx, orgId: string, actor: AuditActor) =>
      change(tx, orgId, { legalHold: false, legalHoldReason: null }, actor),
  };
}

export type RetentionPolicyService = ReturnType<typeof createRetentionPolicy>;
