import type { AuditActor, Tx } from '../platform/index.ts';
import { type SealerDeps, sealAll } from './sealer.ts';
import type { AuditLog } from './service.ts';
import * as store from './store.ts';
import { type Finding, type FindingKind, type VerifyReport, verifyAuditLog } from './verify.ts';

/** A finding as an organization sees it: the ids of other organizations' events are not shown. */
export interface VerificationProblem {
  kind: FindingKind;
  eventId: string | null;
  block: string | null;
  message: string;
}

/** One verification of the whole log, as one organization's administrators see it. */
export interface VerificationRun {
  /** The whole log is intact: the chain is shared by every organization. */
  ok: boolean;
  ranAt: Date;
  checkedEvents: number;
  sealBlocks: number;
  /** Events written after the last seal, by transactions that were still running. */
  pendingEvents: number;
  lastSealedAt: Date | null;
  /** Findings about this organization's events, and those no organization owns (blocks, deleted rows). */
  problems: VerificationProblem[];
  /** Problems beyond the first 100, counted only (the run's event stays bounded). */
  moreProblems: number;
  /** Findings about other organizations' events: counted, not shown. */
  otherProblems: number;
}

export interface AuditVerification {
  /**
   * Seals what is finished, verifies the whole log (docs/audit.md#verification) and records the
   * run in the organization's log (`audit.verified`). Runs requested while one is going share it:
   * a verification reads every event, so callers cannot pile them up.
   */
  run(orgId: string, actor: AuditActor): Promise<VerificationRun>;
  /**
   * Records a verification run made elsewhere (`vigil audit verify`) as `run` does, so that a
   * failure found at the command line raises the same alert as a scheduled one.
   */
  record(
    orgId: string,
    report: VerifyReport,
    ranAt: Date,
    actor: AuditActor,
  ): Promise<VerificationRun>;
  /** The organization's latest recorded run, in the caller's transaction; null before the first. */
  lastRun(tx: Tx, orgId: string): Promise<VerificationRun | null>;
}

export interface AuditVerificationDeps {
  /** The sealer's storage, keys and clock: a run seals what is finished, then verifies. */
  sealer: SealerDeps;
  audit: AuditLog;
}

/** More problems than this are counted but not listed (the event stays bounded). */
const maxListed = 100;

function problemOf(finding: Finding, orgId: string): VerificationProblem | null {
  const block = finding.block ?? null;
  if (finding.orgId === orgId)
    return {
      kind: finding.kind,
      eventId: finding.eventId ?? null,
      block,
      message: finding.message,
    };
  if (finding.orgId !== undefined) return null;
  // A deleted row's organization cannot be told, so its id is not shown to any one of them.
  if (finding.kind === 'deleted')
    return {
      kind: 'deleted',
      eventId: null,
      block,
      message: `an event sealed in block ${block} is gone`,
    };
  return { kind: finding.kind, eventId: null, block, message: finding.message };
}

/** What one organization is told of a run over the whole log. */
export function runFor(orgId: string, report: VerifyReport, ranAt: Date): VerificationRun {
  const problems: VerificationProblem[] = [];
  let otherProblems = 0;
  for (const finding of report.findings) {
    const problem = problemOf(finding, orgId);
    if (problem) problems.push(problem);
    else otherProblems++;
  }
  return {
    ok: report.ok,
    ranAt,
    checkedEvents: report.events,
    sealBlocks: report.blocks,
    pendingEvents: report.pending,
    lastSealedAt: report.lastSealedAt,
    problems: problems.slice(0, maxListed),
    moreProblems: Math.max(problems.length - maxListed, 0),
    otherProblems,
  };
}

const dateOrNull = (value: unknown) => (typeof value === 'string' ? new Date(value) : null);
const count = (value: unknown) => (typeof value === 'number' ? value : 0);

/** A run as its `audit.verified` event recorded it. */
function runOfDetails(details: Record<string, unknown>, occurredAt: Date): VerificationRun {
  const problems = Array.isArray(details.problems) ? details.problems : [];
  return {
    ok: details.ok === true,
    ranAt: dateOrNull(details.ranAt) ?? occurredAt,
    checkedEvents: count(details.checkedEvents),
    sealBlocks: count(details.sealBlocks),
    pendingEvents: count(details.pendingEvents),
    lastSealedAt: dateOrNull(details.lastSealedAt),
    problems: problems as VerificationProblem[],
    moreProblems: count(details.moreProblems),
    otherProblems: count(details.otherProblems),
  };
}

export function createAuditVerification(deps: AuditVerificationDeps): AuditVerification {
  let running: Promise<{ report: VerifyReport; ranAt: Date }> | null = null;

  async function verifyNow(): Promise<{ report: VerifyReport; ranAt: Date }> {
    const ranAt = deps.sealer.clock.now();
    await sealAll(deps.sealer);
    return { report: await verifyAuditLog(deps.sealer), ranAt };
  }

  return {
    async run(orgId, actor) {
      running ??= verifyNow().finally(() => {
        running = null;
      });
      const { report, ranAt } = await running;
      return this.record(orgId, report, ranAt, actor);
    },
    async record(orgId, report, ranAt, actor) {
      const run = runFor(orgId, report, ranAt);
      // No state changes: appended, and answered only once it is committed (fail closed).
      await deps.audit.append({
        orgId,
        action: 'audit.verified',
        actor,
        outcome: run.ok ? 'success' : 'failure',
        details: {
          ...run,
          ranAt: run.ranAt.toISOString(),
          lastSealedAt: run.lastSealedAt?.toISOString() ?? null,
        },
      });
      return run;
    },
    async lastRun(tx, orgId) {
      const [row] = await store.queryEvents(tx, {
        orgId,
        action: 'audit.verified',
        order: 'desc',
        limit: 1,
      });
      if (!row) return null;
      return runOfDetails(JSON.parse(row.details) as Record<string, unknown>, row.occurred_at);
    },
  };
}
