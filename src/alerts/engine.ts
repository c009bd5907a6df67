import {
  type FeedEvent,
  type FeedPosition,
  feedEnd,
  lockFeedCursor,
  readFeed,
  replayRecent,
  saveFeedCursor,
} from '../audit/index.ts';
import {
  type Clock,
  type Database,
  inSavepoint,
  jobLockKeys,
  type Logger,
  onOneNode,
  platformOrgId,
  type Tx,
} from '../platform/index.ts';
import { checkRules, eventRules } from './catalog.ts';
import { moreSevere } from './model.ts';
import type { AlertPolicy, AlertPolicyService } from './policy.ts';
import { settingsOf } from './policy.ts';
import type { Raiser, RatedFinding } from './raise.ts';
import type {
  CheckRule,
  EventRule,
  GeoLocator,
  NamedCertificate,
  OrganizationCertificate,
  RuleContext,
  RuleDirectory,
  RuleSettings,
} from './rule.ts';
import { maxWindowMs } from './rules/shared.ts';
import { createSlidingWindows } from './windows.ts';

/**
 * The findings of a batch that would grow the same alert, as one: a burst of thousands of
 * failures a second makes one update of its alert per page, not one per event.
 */
function sameAlertMerged(findings: RatedFinding[]): RatedFinding[] {
  const byAlert = new Map<string, RatedFinding>();
  for (const f of findings) {
    const key = `${f.orgId} ${f.rule} ${f.dedupKey}`;
    const seen = byAlert.get(key);
    if (!seen) {
      byAlert.set(key, { ...f, eventIds: [...f.eventIds] });
      continue;
    }
    // The newest finding's title and details, every event of them all.
    const newer = f.at.getTime() >= seen.at.getTime() ? f : seen;
    byAlert.set(key, {
      ...newer,
      severity: moreSevere(seen.severity, f.severity),
      eventIds: [...seen.eventIds, ...f.eventIds],
    });
  }
  return [...byAlert.values()];
}

/** The feed cursor of the alert rules. */
export const alertsCursor = 'alerts';

export interface EngineDeps {
  database: Database;
  /** Runs `work` in one platform-scope transaction (the service opens it, ADR 0011). */
  inPlatform<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  clock: Clock;
  logger: Logger;
  /** This node's name: the cursor records it, and a round that finds another rebuilds its windows. */
  nodeId: string;
  policy: Pick<AlertPolicyService, 'policy'>;
  raiser: Raiser;
  directory: RuleDirectory;
  geo: GeoLocator;
  certificates(): Promise<NamedCertificate[]>;
  /** Every organization's SSO certificates, read in the round's platform transaction. */
  organizationCertificates(tx: Tx): Promise<OrganizationCertificate[]>;
  /** Events read per page; a round reads at most `maxPages` pages (the rest is next round's). */
  pageSize?: number;
  maxPages?: number;
  /** How often the periodic checks run (certificates); `runRound({ checks: true })` forces them. */
  checkEveryMs?: number;
  /** The rules (tests give a broken one); the catalog's by default. */
  rules?: EventRule[];
}

export interface AlertRoundReport {
  /** False when another node (or runner) held the rules' lock. */
  ran: boolean;
  events: number;
  raised: number;
  grown: number;
  /** Rules that threw on a batch (logged; the others went on). */
  failedRules: number;
  /** Events replayed into the windows first (a takeover, a restart, the first round here). */
  replayed: number;
  /** The first round ever: it started at the feed's end and read no history. */
  started: boolean;
}

/**
 * The alert rules over the audit feed (docs/alerts.md#the-engine). A round runs on one node
 * (advisory lock) in one platform transaction: it locks the feed cursor, reads the committed
 * events after it, hands each rule the events of its actions with each organization's
 * settings, turns the findings into alerts and saves the cursor, so every event is evaluated
 * exactly once whatever crashes. It only reads committed events: the writers' transactions
 * never wait for it and never fail because of it.
 */
export function createAlertEngine(deps: EngineDeps) {
  const rules = deps.rules ?? eventRules;
  const pageSize = deps.pageSize ?? 1000;
  const maxPages = deps.maxPages ?? 50;
  const checkEveryMs = deps.checkEveryMs ?? 3_600_000;
  const windowedActions = [...new Set(rules.filter((r) => r.windowed).flatMap((r) => r.actions))];
  let windows = createSlidingWindows();
  /** Where this node's windows are up to; null until built (they are rebuilt then). */
  let warmAt: FeedPosition | null = null;
  let lastChecks = Number.NEGATIVE_INFINITY;

  /** The rules' settings of each organization, read once a round. */
  function policies(tx: Tx) {
    const read = new Map<string, Promise<AlertPolicy>>();
    return (orgId: string) => {
      let p = read.get(orgId);
      if (!p) {
        p = deps.policy.policy(tx, orgId).then((v) => v.policy);
        read.set(orgId, p);
      }
      return p;
    };
  }

  /** Each rule gets its actions' events, with its enabled organizations' settings. */
  async function evaluate(
    ctx: RuleContext,
    events: FeedEvent[],
    policyOf: (orgId: string) => Promise<AlertPolicy>,
    report: AlertRoundReport,
  ): Promise<RatedFinding[]> {
    const found: RatedFinding[] = [];
    for (const rule of rules) {
      if (ctx.replay && !rule.windowed) continue;
      const batch: { event: FeedEvent; settings: RuleSettings }[] = [];
      for (const event of events) {
        if (!rule.actions.includes(event.action as never)) continue;
        const settings = settingsOf(rule, await policyOf(event.orgId));
        if (settings.enabled) batch.push({ event, settings });
      }
      if (batch.length === 0) continue;
      try {
        // A rule that fails (a statement of its own included) is undone alone.
        const findings = await inSavepoint(ctx.tx, 'alert_rule', () => rule.evaluate(ctx, batch));
        if (ctx.replay) continue;
        for (const f of findings) {
          const settings = settingsOf(rule, await policyOf(f.orgId));
          found.push({ ...f, rule: rule.key, severity: settings.severity });
        }
      } catch (err) {
        report.failedRules += 1;
        deps.logger.error({ err, rule: rule.key }, 'alert rule failed on a batch; skipped');
      }
    }
    return found;
  }

  /** Rebuilds the windows from the last day's events up to where the cursor is. */
  async function rebuild(tx: Tx, upTo: FeedPosition, report: AlertRoundReport) {
    windows = createSlidingWindows();
    if (windowedActions.length === 0) return;
    const ctx = contextOf(tx, true);
    const policyOf = policies(tx);
    const since = new Date(deps.clock.now().getTime() - maxWindowMs);
    report.replayed = await replayRecent(
      tx,
      { actions: windowedActions, since, upTo },
      async (events) => void (await evaluate(ctx, events, policyOf, report)),
    );
  }

  const contextOf = (tx: Tx, replay: boolean): RuleContext => ({
    tx,
    clock: deps.clock,
    windows,
    geo: deps.geo,
    replay,
    directory: deps.directory,
  });

  async function raiseAll(tx: Tx, findings: RatedFinding[], report: AlertRoundReport) {
    const policyOf = policies(tx);
    for (const f of sameAlertMerged(findings)) {
      const outcome = await deps.raiser.raise(tx, f, await policyOf(f.orgId));
      report[outcome] += 1;
    }
  }

  async function runChecks(tx: Tx, report: AlertRoundReport) {
    const policyOf = policies(tx);
    const policy = await policyOf(platformOrgId);
    for (const rule of checkRules as CheckRule[]) {
      const settings = settingsOf(rule, policy);
      // An organizations' check decides per organization, by each one's own settings.
      if (rule.scope !== 'organizations' && !settings.enabled) continue;
      const ctx = {
        tx,
        clock: deps.clock,
        certificates: deps.certificates,
        organizationCertificates: () => deps.organizationCertificates(tx),
        settingsIn: async (orgId: string) => settingsOf(rule, await policyOf(orgId)),
      };
      try {
        // A check whose reads fail is undone alone: the round (and its cursor) goes on.
        const findings = await inSavepoint(tx, 'alert_check', () => rule.check(ctx, settings));
        await raiseAll(
          tx,
          findings.map((f) => ({
            ...f,
            rule: rule.key,
            severity: f.severity ?? settings.severity,
          })),
          report,
        );
      } catch (err) {
        report.failedRules += 1;
        deps.logger.error({ err, rule: rule.key }, 'alert check failed; skipped');
      }
    }
  }

  async function round(tx: Tx, report: AlertRoundReport, forceChecks: boolean) {
    const cursor = await lockFeedCursor(tx, alertsCursor);
    const now = deps.clock.now();
    if (!cursor) {
      // The first round ever starts at the end: no alerts over years of history.
      const end = await feedEnd(tx);
      await saveFeedCursor(tx, alertsCursor, end, deps.nodeId, now);
      windows = createSlidingWindows();
      warmAt = end;
      report.started = true;
      return;
    }
    let at = cursor.position;
    const warm = cursor.runner === deps.nodeId && warmAt?.tx === at.tx && warmAt.seq === at.seq;
    if (!warm) await rebuild(tx, at, report);
    const ctx = contextOf(tx, false);
    const policyOf = policies(tx);
    for (let pages = 0; pages < maxPages; pages++) {
      const page = await readFeed(tx, at, pageSize);
      report.events += page.events.length;
      if (page.events.length > 0)
        await raiseAll(tx, await evaluate(ctx, page.events, policyOf, report), report);
      at = page.next;
      if (page.events.length < pageSize) break;
    }
    if (forceChecks || now.getTime() - lastChecks >= checkEveryMs) {
      await runChecks(tx, report);
      lastChecks = now.getTime();
    }
    await saveFeedCursor(tx, alertsCursor, at, deps.nodeId, now);
    windows.prune(now, maxWindowMs);
    warmAt = at;
  }

  return {
    /** One round now, unless another runner holds the lock (`checks`: run the periodic checks too). */
    async runRound(options: { checks?: boolean } = {}): Promise<AlertRoundReport> {
      const report: AlertRoundReport = {
        ran: true,
        events: 0,
        raised: 0,
        grown: 0,
        failedRules: 0,
        replayed: 0,
        started: false,
      };
      const outcome = await onOneNode(deps.database, jobLockKeys.alertRules, () =>
        deps
          .inPlatform((tx) => round(tx, report, options.checks === true))
          .catch((err: unknown) => {
            // Rolled back: the cursor did not move, and the windows may hold events of it.
            warmAt = null;
            throw err;
          }),
      );
      if (!outcome.ran) return { ...report, ran: false };
      if (report.raised > 0 || report.failedRules > 0)
        deps.logger.info(report, 'alert rules round');
      return report;
    },
  };
}

export type AlertEngine = ReturnType<typeof createAlertEngine>;
