import { type Database, jobLockKeys, type Logger, onOneNode } from '../../platform/index.ts';
import type { ComplianceRunner } from './runner.ts';

/**
 * The scheduled checks (docs/compliance.md#live-checks-and-posture): every organization and the
 * platform, on one node at a time (an advisory lock; other nodes skip the round). The server
 * runs a round every VIGIL_COMPLIANCE_INTERVAL_MS.
 */
export function createComplianceSchedule(deps: {
  database: Database;
  runner: Pick<ComplianceRunner, 'runAll'>;
  logger: Logger;
}) {
  return {
    /** One round now, unless another node holds the lock (`ran: false`). */
    async runRound() {
      const outcome = await onOneNode(deps.database, jobLockKeys.complianceChecks, () =>
        deps.runner.runAll(),
      );
      if (!outcome.ran) return { ran: false as const };
      const { reports, failedOrgs } = outcome.result;
      const count = (pick: (r: (typeof reports)[number]) => string[]) =>
        reports.reduce((n, r) => n + pick(r).length, 0);
      const summary = {
        organizations: reports.length,
        failedOrgs,
        nowFailing: count((r) => r.nowFailing),
        recovered: count((r) => r.recovered),
        failedChecks: count((r) => r.failedChecks),
      };
      if (summary.nowFailing + summary.recovered + summary.failedChecks + failedOrgs > 0)
        deps.logger.info(summary, 'compliance checks round');
      return { ran: true as const, ...summary };
    },
  };
}

export type ComplianceSchedule = ReturnType<typeof createComplianceSchedule>;
