import type { AuditVerification } from '../audit/index.ts';
import {
  type AuditActor,
  type Clock,
  type Database,
  jobLockKeys,
  onOneNode,
  platformOrgId,
  type Tx,
} from '../platform/index.ts';

/** Who runs the scheduled verification in the audit log. */
export const auditVerifyActor: AuditActor = { type: 'system', id: 'audit-verify-schedule' };

/**
 * The scheduled check of the whole audit log (docs/alerts.md#scheduled-verification): on one
 * node, when the platform's last verification (scheduled or not) is `intervalHours` old. Its
 * `audit.verified` event with outcome failure is what the `audit.verify_failed` rule reads.
 * Asked often, it runs only when due, so nodes that restart or take turns verify once per
 * interval between them.
 */
export function createAuditVerifySchedule(deps: {
  database: Database;
  /** Runs `work` in one platform-scope transaction (the service opens it, ADR 0011). */
  inPlatform<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  clock: Clock;
  verification: Pick<AuditVerification, 'run' | 'lastRun'>;
  intervalHours: number;
}) {
  return {
    /** Verifies if due (or `force`); answers whether it ran and whether the log verified. */
    async runIfDue(force = false): Promise<{ ran: boolean; ok?: boolean }> {
      const outcome = await onOneNode(deps.database, jobLockKeys.auditVerifySchedule, async () => {
        const last = await deps.inPlatform((tx) => deps.verification.lastRun(tx, platformOrgId));
        const dueAt = (last?.ranAt.getTime() ?? 0) + deps.intervalHours * 3_600_000;
        if (!force && deps.clock.now().getTime() < dueAt) return { ran: false };
        const run = await deps.verification.run(platformOrgId, auditVerifyActor);
        return { ran: true, ok: run.ok };
      });
      return outcome.ran ? outcome.result : { ran: false };
    },
  };
}

export type AuditVerifySchedule = ReturnType<typeof createAuditVerifySchedule>;
