import { identityErrors } from '../identity/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  jobLockKeys,
  type Logger,
  type Mailer,
  onOneNode,
  type Tx,
  withOrg,
  withPlatform,
} from '../platform/index.ts';
import type { Rbac } from '../rbac/index.ts';
import {
  adminNotice,
  type DormancyRule,
  dormancyCutoff,
  dormancyStep,
  userWarning,
} from './dormancy.ts';
import { lifecyclePolicySchema } from './policy.ts';
import * as store from './schedule.store.ts';
import type { Lifecycle } from './service.ts';

export interface ScheduleDeps {
  database: Database;
  clock: Clock;
  audit: AuditWriter;
  lifecycle: Pick<Lifecycle, 'deactivate'>;
  rbac: Pick<Rbac, 'holdersIn'>;
  mailer: Mailer;
  logger: Logger;
  /** Where a warned user signs in to keep their account (`<publicUrl>/account`). */
  publicUrl: string;
  /** Users read per query (default 100). */
  batchSize?: number;
  /** Batches per kind of work and organization in one round; the rest waits for the next. */
  maxBatches?: number;
}

/** What one round did; `ran` false when another node (or runner) held the schedule's lock. */
export interface RoundReport {
  ran: boolean;
  deprovisioned: number;
  warned: number;
  suspended: number;
  failed: number;
}

/** Who acts when the schedule deprovisions or suspends (the audit log's and the SLA report's actor). */
export const scheduleActor: AuditActor = { type: 'system', id: 'lifecycle-schedule' };

/**
 * The lifecycle schedule (docs/lifecycle.md#the-schedule): end dates reached deprovision, and
 * unused accounts are warned, then suspended, where the organization's policy says so. Each
 * round decides by the times stored, so a round after downtime catches up on everything due;
 * each user is decided in a transaction of their own, so one failure stops nothing else.
 */
export function createLifecycleSchedule(deps: ScheduleDeps) {
  const batchSize = deps.batchSize ?? 100;
  const maxBatches = deps.maxBatches ?? 50;
  const { database, clock, logger } = deps;

  /** Walks `list` by id a batch at a time, calling `each` with every id (errors counted). */
  async function walk<T extends { id: string }>(
    list: (page: store.Page) => Promise<T[]>,
    each: (row: T) => Promise<void>,
    report: RoundReport,
  ): Promise<void> {
    let after: string | null = null;
    for (let batch = 0; batch < maxBatches; batch++) {
      const rows = await list({ after, limit: batchSize });
      for (const row of rows) {
        try {
          await each(row);
        } catch (err) {
          report.failed += 1;
          logger.error({ err, userId: row.id }, 'lifecycle schedule: a user could not be handled');
        }
      }
      const last = rows.at(-1);
      if (!last || rows.length < batchSize) return;
      after = last.id;
    }
  }

  async function endDatesReached(report: RoundReport, now: Date): Promise<void> {
    const due = (page: store.Page) =>
      withPlatform(database, (tx) => store.endDatesDue(tx, now, page));
    await walk(
      due,
      async ({ id, org_id }) => {
        const done = await withOrg(database, org_id, async (tx) => {
          // Read again under a lock: an administrator may have moved the date meanwhile.
          const user = await store.lockUser(tx, id);
          if (!user?.end_at || user.end_at > clock.now() || user.status === 'deprovisioned')
            return false;
          const request = { source: 'schedule' as const, requestedAt: user.end_at };
          await deps.lifecycle.deactivate(tx, id, 'deprovisioned', scheduleActor, request);
          return true;
        });
        if (done) report.deprovisioned += 1;
      },
      report,
    );
  }

  /** One user's dormancy step in its own transaction; the warning's facts when one went out. */
  function dormancyOf(orgId: string, orgName: string, userId: string, rule: DormancyRule) {
    return withOrg(database, orgId, async (tx) => {
      const user = await store.lockUser(tx, userId);
      if (user?.status !== 'active') return null;
      const now = clock.now();
      const step = dormancyStep(user, rule, now);
      if (step.kind === 'suspend') {
        await deps.lifecycle.deactivate(tx, userId, 'suspended', scheduleActor, {
          source: 'dormant',
        });
        // Spent: should an administrator reactivate the user, they are warned afresh.
        await store.markWarned(tx, userId, null);
        return step;
      }
      if (step.kind !== 'warn') return step;
      await store.markWarned(tx, userId, now);
      await deps.audit(tx, {
        orgId,
        action: 'user.dormancy_warned',
        actor: scheduleActor,
        target: { type: 'user', id: userId },
        details: {
          lastUsedAt: step.lastUsedAt.toISOString(),
          suspendOn: step.suspendOn.toISOString(),
          dormantDays: rule.dormantDays,
        },
      });
      // Sent before the commit: a mail that cannot go rolls the warning back, to be sent again
      // next round, so the log never records a warning its user did not get.
      const accountUrl = `${deps.publicUrl}/account`;
      await deps.mailer.send(userWarning(user, { name: orgName }, step, rule, accountUrl));
      return { ...step, email: user.email };
    });
  }

  /** The organization's administrators (holders of users.deactivate) hear of this round's warnings. */
  async function tellAdmins(
    orgId: string,
    orgName: string,
    warned: { email: string; lastUsedAt: Date; suspendOn: Date }[],
    rule: DormancyRule,
  ): Promise<void> {
    const admins = await withOrg(database, orgId, async (tx: Tx) => {
      const holders = await deps.rbac.holdersIn(tx, orgId);
      const ids = [...holders]
        .filter(([, roles]) => roles.some((r) => r.permissions.includes('users.deactivate')))
        .map(([userId]) => userId);
      return store.activeUsersAmong(tx, ids);
    });
    for (const admin of admins) {
      await deps.mailer
        .send(adminNotice(admin, { name: orgName }, warned, rule))
        .catch((err: unknown) =>
          logger.error({ err, orgId }, 'lifecycle schedule: an administrator could not be told'),
        );
    }
  }

  /** One organization's dormant accounts: warnings and suspensions due, then the digest. */
  async function dormantIn(
    org: { id: string; name: string },
    rule: DormancyRule,
    report: RoundReport,
    now: Date,
  ): Promise<void> {
    const cutoff = dormancyCutoff(rule, now);
    const warned: { email: string; lastUsedAt: Date; suspendOn: Date }[] = [];
    const unused = (page: store.Page) =>
      withOrg(database, org.id, (tx) => store.unusedSince(tx, cutoff, page));
    await walk(
      unused,
      async ({ id }) => {
        const step = await dormancyOf(org.id, org.name, id, rule);
        if (step?.kind === 'suspend') report.suspended += 1;
        if (step?.kind === 'warn' && 'email' in step) {
          report.warned += 1;
          warned.push(step);
        }
      },
      report,
    );
    if (warned.length > 0) await tellAdmins(org.id, org.name, warned, rule);
  }

  async function dormantAccounts(report: RoundReport, now: Date): Promise<void> {
    const policies = await withPlatform(database, (tx) => store.lifecyclePolicies(tx));
    for (const { org_id: id, org_name: name, settings } of policies) {
      const parsed = lifecyclePolicySchema.safeParse(settings);
      if (!parsed.success) {
        report.failed += 1;
        logger.error({ orgId: id }, 'lifecycle schedule: a stored lifecycle policy does not parse');
        continue;
      }
      const { dormantDays, warnDays } = parsed.data;
      if (dormantDays === null) continue;
      try {
        await dormantIn({ id, name }, { dormantDays, warnDays }, report, now);
      } catch (err) {
        // One organization's trouble (a lost connection, say) leaves the others to run.
        report.failed += 1;
        logger.error(
          { err, orgId: id },
          'lifecycle schedule: an organization could not be handled',
        );
      }
    }
  }

  /**
   * Sets or clears the user's end date (audited `user.end_date.set` with before and after).
   * A date already past deprovisions at the next round; a deprovisioned user has none to set.
   */
  async function setEndDate(tx: Tx, userId: string, endAt: Date | null, actor: AuditActor) {
    const user = await store.lockUser(tx, userId);
    if (!user) throw identityErrors.userNotFound();
    if (user.status === 'deprovisioned') throw identityErrors.userDeprovisioned();
    const before = user.end_at;
    if (before?.getTime() !== endAt?.getTime()) {
      await store.updateEndAt(tx, userId, endAt, clock.now());
      await deps.audit(tx, {
        orgId: user.org_id,
        action: 'user.end_date.set',
        actor,
        target: { type: 'user', id: userId },
        details: {
          before: { endAt: before?.toISOString() ?? null },
          after: { endAt: endAt?.toISOString() ?? null },
        },
      });
    }
    return { userId, endAt };
  }

  return {
    /**
     * One round now, unless another runner holds the lock: end dates first (a leaver is
     * deprovisioned rather than suspended as dormant), then dormant accounts.
     */
    async runRound(): Promise<RoundReport> {
      const report: RoundReport = {
        ran: true,
        deprovisioned: 0,
        warned: 0,
        suspended: 0,
        failed: 0,
      };
      const outcome = await onOneNode(database, jobLockKeys.lifecycleSchedule, async () => {
        const now = clock.now();
        await endDatesReached(report, now);
        await dormantAccounts(report, now);
      });
      if (!outcome.ran) return { ...report, ran: false };
      const { deprovisioned, warned, suspended, failed } = report;
      if (deprovisioned + warned + suspended + failed > 0)
        logger.info({ deprovisioned, warned, suspended, failed }, 'lifecycle schedule round');
      return report;
    },

    /** The user's end date (null: none), in the caller's organization scope. */
    async endDate(tx: Tx, userId: string): Promise<Date | null> {
      const user = await store.findUser(tx, userId);
      if (!user) throw identityErrors.userNotFound();
      return user.end_at;
    },

    setEndDate,

    /**
     * `setEndDate` in a transaction of its own (the CLI's), for the user of the organization with
     * this id or email.
     */
    setEndDateNow: (orgId: string, idOrEmail: string, endAt: Date | null, actor: AuditActor) =>
      withOrg(database, orgId, async (tx) => {
        const user = await store.findUserByIdOrEmail(tx, idOrEmail);
        if (!user) throw identityErrors.userNotFound();
        return { ...(await setEndDate(tx, user.id, endAt, actor)), email: user.email };
      }),
  };
}

export type LifecycleSchedule = ReturnType<typeof createLifecycleSchedule>;
