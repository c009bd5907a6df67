import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  inSavepoint,
  type Logger,
  type Tx,
  withOrg,
  withPlatform,
} from '../../platform/index.ts';
import type { CheckOutcome, Control, ControlScope } from './control.ts';
import { recordResult } from './results.store.ts';
import type { CheckSources } from './sources.ts';

/** Who runs the scheduled checks, in the audit log. */
export const complianceActor: AuditActor = { type: 'system', id: 'compliance-checks' };

/** Exceptions named in a `compliance.control.failed` event; the count says how many in all. */
export const auditedExceptions = 20;

export interface ComplianceRunnerDeps {
  database: Database;
  audit: AuditWriter;
  clock: Clock;
  logger: Logger;
  platformOrgId: string;
  /** The controls to check: the catalog (controls/catalog.ts), or a test's own. */
  controls: readonly Control[];
  sources: CheckSources;
}

/** What one run of one organization did (the platform's controls included for its own). */
export interface OrgRunReport {
  orgId: string;
  checked: number;
  /** Controls whose check threw: logged, nothing recorded for them. */
  failedChecks: string[];
  /** Controls that went from pass (or never checked) to fail, and from fail to pass. */
  nowFailing: string[];
  recovered: string[];
  ranAt: Date;
}

/**
 * Runs the live checks (docs/compliance.md#live-checks-and-posture): an organization's `org`
 * controls in one transaction of its scope, and, for the platform organization, the `platform`
 * controls in one platform transaction. Each outcome is recorded (history as stretches of equal
 * results) with its audit event in the same transaction; a check that throws is undone alone
 * (a savepoint, like an alert rule) so the others still count.
 */
export function createComplianceRunner(deps: ComplianceRunnerDeps) {
  const { database, logger, platformOrgId } = deps;
  const inScope = (scope: ControlScope, orgId: string) =>
    scope === 'platform'
      ? <T>(fn: (tx: Tx) => Promise<T>) => withPlatform(database, fn)
      : <T>(fn: (tx: Tx) => Promise<T>) => withOrg(database, orgId, fn);

  /** Checks one control and records what it found, with an event when it changed verdict. */
  async function checkOne(
    tx: Tx,
    control: Control,
    orgId: string,
    now: Date,
    actor: AuditActor,
    report: OrgRunReport,
  ) {
    const outcome = await control.check({ tx, orgId, now, sources: deps.sources });
    const { previous } = await recordResult(tx, orgId, control.id, outcome, now);
    report.checked += 1;
    const target = { type: 'control', id: control.id };
    if (outcome.status === 'fail' && previous !== 'fail') {
      report.nowFailing.push(control.id);
      await deps.audit(tx, {
        orgId,
        action: 'compliance.control.failed',
        outcome: 'failure',
        actor,
        target,
        details: failedDetails(control, outcome),
      });
    } else if (outcome.status === 'pass' && previous === 'fail') {
      report.recovered.push(control.id);
      await deps.audit(tx, {
        orgId,
        action: 'compliance.control.recovered',
        actor,
        target,
        details: { control: control.id, criteria: control.criteria, summary: outcome.summary },
      });
    }
  }

  /** One transaction: every control of `scope`, each in its own savepoint. */
  async function runScope(
    scope: ControlScope,
    orgId: string,
    now: Date,
    actor: AuditActor,
    report: OrgRunReport,
  ) {
    const controls = deps.controls.filter((c) => c.scope === scope);
    if (controls.length === 0) return;
    await inScope(
      scope,
      orgId,
    )(async (tx) => {
      for (const control of controls) {
        try {
          await inSavepoint(tx, 'compliance_check', () =>
            checkOne(tx, control, orgId, now, actor, report),
          );
        } catch (err) {
          report.failedChecks.push(control.id);
          logger.error({ err, orgId, control: control.id }, 'compliance check failed; skipped');
        }
      }
    });
  }

  async function runOrg(orgId: string, actor: AuditActor = complianceActor) {
    const now = deps.clock.now();
    const report: OrgRunReport = {
      orgId,
      checked: 0,
      failedChecks: [],
      nowFailing: [],
      recovered: [],
      ranAt: now,
    };
    await runScope('org', orgId, now, actor, report);
    if (orgId === platformOrgId) await runScope('platform', orgId, now, actor, report);
    return report;
  }

  /** Every active organization, then the platform (its org controls and the platform's). */
  async function runAll(actor: AuditActor = complianceActor) {
    const orgs = await withPlatform(database, (tx) =>
      tx
        .selectFrom('organizations')
        .select('id')
        .where('status', '=', 'active')
        .where('id', '!=', platformOrgId)
        .orderBy('id')
        .execute(),
    );
    const reports: OrgRunReport[] = [];
    let failedOrgs = 0;
    for (const { id } of [...orgs, { id: platformOrgId }]) {
      try {
        reports.push(await runOrg(id, actor));
      } catch (err) {
        // One organization's trouble (a lost connection) leaves the others to run.
        failedOrgs += 1;
        logger.error({ err, orgId: id }, 'compliance checks: an organization could not be run');
      }
    }
    return { reports, failedOrgs };
  }

  return { runOrg, runAll };
}

/** The `compliance.control.failed` details: what failed, why, and the first exceptions. */
function failedDetails(control: Control, outcome: CheckOutcome) {
  return {
    control: control.id,
    title: control.title,
    criteria: control.criteria,
    summary: outcome.summary,
    exceptions: outcome.exceptions.slice(0, auditedExceptions),
    exceptionCount: outcome.exceptions.length,
  };
}

export type ComplianceRunner = ReturnType<typeof createComplianceRunner>;
