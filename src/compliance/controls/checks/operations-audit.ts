import type { CheckContext, CheckOutcome, ControlException } from '../control.ts';
import { verdict } from '../control.ts';
import * as store from './operations.store.ts';

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** How far back audit coverage looks: what was recently done must be in the log. */
export const coverageDays = 30;
/** A verification runs daily (VIGIL_AUDIT_VERIFY_INTERVAL_HOURS, 24 by default), plus an hour of slack. */
export const verificationMaxAgeHours = 25;
/** Audit events are kept a year at least (SOC 2 evidence covers a year). */
export const minRetentionDays = 365;
/** The recent months stay queryable in the database. */
export const minHotDays = 90;
/** A month past the hot period is archived by the next round (rounds run at least daily). */
export const archiveGraceDays = 1;

/** The application's database roles (src/platform/db/database.ts). */
export const appRoles = ['vigil_app', 'vigil_platform'] as const;

/** A timestamp to the minute: findings name dates, not ages, so that an unchanged one reads the same on every run. */
export const minute = (at: Date) => `${at.toISOString().slice(0, 16)}Z`;

/** Sessions without their sign-in event, policy versions without their change event. */
export async function checkAuditCoverage({ tx, orgId, now }: CheckContext): Promise<CheckOutcome> {
  const since = new Date(now.getTime() - coverageDays * dayMs);
  const exceptions: ControlException[] = [];
  for (const s of await store.sessionsWithoutSignInEvent(tx, orgId, since))
    exceptions.push({
      message: `session ${s.id} of user ${s.user_id}, started ${s.created_at.toISOString()}, has no sign-in event (session.created)`,
      subject: { type: 'session', id: s.id },
    });
  for (const p of await store.policyVersionsWithoutEvent(tx, orgId, since))
    exceptions.push({
      message: `${p.kind} policy version ${p.version}, made ${p.changed_at.toISOString()}, has no policy.${p.kind}.changed event`,
      subject: { type: `${p.kind}_policy`, id: `${orgId}:${p.version}` },
    });
  return verdict(exceptions, {
    pass: `every session and policy change of the last ${coverageDays} days is in the audit log`,
    fail: (n) =>
      `${n} change${n === 1 ? '' : 's'} of the last ${coverageDays} days missing from the audit log`,
  });
}

/** The last verification of the whole log, and the database's guards on the audit tables. */
export async function checkAuditImmutability(ctx: CheckContext): Promise<CheckOutcome> {
  const { tx, now, sources } = ctx;
  const exceptions: ControlException[] = [];
  const run = await sources.operations.lastAuditVerification(tx);
  if (!run) exceptions.push({ message: 'the audit log has never been verified' });
  else {
    if (now.getTime() - run.ranAt.getTime() > verificationMaxAgeHours * hourMs)
      exceptions.push({
        message: `audit verify last ran ${minute(run.ranAt)}, more than ${verificationMaxAgeHours} hours ago`,
      });
    if (!run.ok) {
      const count = run.problems.length + run.moreProblems + run.otherProblems;
      exceptions.push({
        message: `the last audit verification (${minute(run.ranAt)}) failed with ${count} problem${count === 1 ? '' : 's'}`,
      });
      for (const problem of run.problems)
        exceptions.push({
          message: `audit verify: ${problem.message}`,
          ...(problem.eventId ? { subject: { type: 'audit_event', id: problem.eventId } } : {}),
        });
    }
  }
  const guards = await store.auditTableGuards(tx, appRoles);
  for (const guard of guards) {
    const rights = [
      guard.can_update && 'update',
      guard.can_delete && 'delete',
      guard.can_truncate && 'truncate',
    ].filter(Boolean);
    if (rights.length > 0)
      exceptions.push({
        message: `role ${guard.role} may ${rights.join(', ')} ${guard.table}`,
        subject: { type: 'table', id: guard.table },
      });
  }
  // The triggers stop even the table's owner (short of disabling them); one row per table.
  const seen = new Set<string>();
  for (const guard of guards) {
    if (seen.has(guard.table)) continue;
    seen.add(guard.table);
    const family = guard.table === 'audit_seal_blocks' ? 'audit_seal_blocks' : 'audit_events';
    for (const trigger of [`${family}_no_update`, `${family}_no_truncate`])
      if (!guard.triggers.includes(trigger))
        exceptions.push({
          message: `table ${guard.table} lacks its enabled ${trigger} trigger`,
          subject: { type: 'table', id: guard.table },
        });
  }
  return verdict(exceptions, {
    pass: `the audit log verified within ${verificationMaxAgeHours} hours and only appending to it is allowed`,
    fail: (n) => `${n} problem${n === 1 ? '' : 's'} with the audit log's integrity`,
  });
}

/** The retention policy, the hot period, and the months that should be archived by now. */
export async function checkAuditRetention(ctx: CheckContext): Promise<CheckOutcome> {
  const { tx, orgId, now, sources } = ctx;
  const { config } = sources;
  const exceptions: ControlException[] = [];
  const policy = await sources.operations.auditRetention(tx, orgId);
  if (policy.retentionDays < minRetentionDays)
    exceptions.push({
      message: `the retention policy keeps audit events ${policy.retentionDays} days (at least ${minRetentionDays} required)`,
      subject: { type: 'retention_policy', id: orgId },
    });
  if (config.VIGIL_AUDIT_RETENTION_DAYS < minRetentionDays)
    exceptions.push({
      message: `VIGIL_AUDIT_RETENTION_DAYS is ${config.VIGIL_AUDIT_RETENTION_DAYS} (at least ${minRetentionDays} required)`,
    });
  const hotDays = config.VIGIL_AUDIT_HOT_DAYS;
  if (hotDays < minHotDays)
    exceptions.push({
      message: `VIGIL_AUDIT_HOT_DAYS is ${hotDays}: fewer than ${minHotDays} days of audit events stay in the database`,
    });
  // Months entirely older than the hot period (and the grace of one round) must be archived.
  const cutoff = new Date(now.getTime() - (hotDays + archiveGraceDays) * dayMs);
  const firstOfCutoffMonth = new Date(Date.UTC(cutoff.getUTCFullYear(), cutoff.getUTCMonth(), 1));
  const due = await store.auditMonthsBefore(tx, orgId, firstOfCutoffMonth);
  if (due.length > 0) {
    const archived = await sources.operations.archivedAuditMonths();
    for (const month of due)
      if (!archived.has(month))
        exceptions.push({
          message: `audit month ${month} is past the ${hotDays} days kept in the database and not archived`,
          subject: { type: 'audit_month', id: month },
        });
  }
  return verdict(exceptions, {
    pass: `audit events are kept ${Math.max(policy.retentionDays, config.VIGIL_AUDIT_RETENTION_DAYS)} days${policy.legalHold ? ' (legal hold: nothing is purged)' : ''}, ${hotDays} in the database, older months archived`,
    fail: (n) => `${n} problem${n === 1 ? '' : 's'} with audit retention`,
  });
}
