import {
  type AuditActor,
  type Clock,
  type Database,
  type Tx,
  withOrg,
  withPlatform,
} from '../../platform/index.ts';
import { complianceErrors } from '../errors.ts';
import type { Control, ControlException, ControlStatus } from './control.ts';
import { criteria } from './criteria.ts';
import { historyPeriod, postureDays, postureOf } from './posture.ts';
import { resultsAt, resultsBetween, type StoredResult } from './results.store.ts';
import type { ComplianceRunner } from './runner.ts';

/** A control's current result, as the API and the console show it. */
export interface CurrentResult {
  status: ControlStatus;
  summary: string;
  exceptions: ControlException[];
  /** Since when the check has found this result. */
  since: Date;
  /** The latest run that found it. */
  checkedAt: Date;
}

export interface ControlView {
  id: string;
  title: string;
  description: string;
  test: string;
  criteria: string[];
  scope: Control['scope'];
  evidence: string[];
  result: CurrentResult | null;
}

export interface ControlsView {
  criteria: Record<string, string>;
  /** The latest run of the organization's own checks; null before the first. */
  lastRunAt: Date | null;
  controls: ControlView[];
}

const current = (r: StoredResult): CurrentResult => ({
  status: r.status,
  summary: r.summary,
  exceptions: r.exceptions,
  since: r.firstSeenAt,
  checkedAt: r.lastSeenAt,
});

/**
 * What the compliance page shows of the live checks (docs/compliance.md#live-checks-and-posture):
 * each control with its current result, a control's history and the posture by day. An
 * organization's controls are read from its own rows, in its scope; the platform's controls
 * (keys, TLS, the database: no tenant data) from the platform organization's rows in a platform
 * transaction, shown to every organization as the platform's. Each read opens its own
 * transactions.
 */
export function createComplianceService(deps: {
  database: Database;
  clock: Clock;
  platformOrgId: string;
  controls: readonly Control[];
  runner: Pick<ComplianceRunner, 'runOrg'>;
}) {
  const { database, platformOrgId } = deps;
  const byId = new Map(deps.controls.map((c) => [c.id, c]));
  const ofScope = (scope: Control['scope']) => deps.controls.filter((c) => c.scope === scope);

  /** `read` over the organization's rows, then over the platform's (for its controls). */
  async function readBoth<T>(orgId: string, read: (tx: Tx, ownerId: string) => Promise<T>) {
    const own = await withOrg(database, orgId, (tx) => read(tx, orgId));
    const platform = await withPlatform(database, (tx) => read(tx, platformOrgId));
    return { own, platform };
  }

  /** Every control with its metadata and current result. */
  async function controlsOf(orgId: string): Promise<ControlsView> {
    const { own, platform } = await readBoth(orgId, (tx, owner) => resultsAt(tx, owner));
    const latest = new Map<string, StoredResult>([
      ...own.filter((r) => byId.get(r.controlId)?.scope === 'org').map((r) => [r.controlId, r]),
      ...platform
        .filter((r) => byId.get(r.controlId)?.scope === 'platform')
        .map((r) => [r.controlId, r]),
    ] as [string, StoredResult][]);
    // The platform's own runs count as the platform organization's.
    const ownRuns = orgId === platformOrgId ? [...latest.values()] : own;
    const lastRun = Math.max(...ownRuns.map((r) => r.lastSeenAt.getTime()));
    return {
      criteria,
      lastRunAt: Number.isFinite(lastRun) ? new Date(lastRun) : null,
      controls: deps.controls.map((c) => {
        const found = latest.get(c.id);
        return {
          id: c.id,
          title: c.title,
          description: c.description,
          test: c.test,
          criteria: c.criteria,
          scope: c.scope,
          evidence: c.evidence,
          result: found ? current(found) : null,
        };
      }),
    };
  }

  function controlOf(controlId: string): Control {
    const control = byId.get(controlId);
    if (!control) throw complianceErrors.controlNotFound({ control: controlId });
    return control;
  }

  /** A control's results that held at some point in the period, oldest first. */
  async function history(
    orgId: string,
    controlId: string,
    input: { from?: string; to?: string } = {},
  ) {
    const control = controlOf(controlId);
    const { from, to } = historyPeriod(input, deps.clock.now());
    const read = (tx: Tx, owner: string) => resultsBetween(tx, owner, from, to, control.id);
    const rows =
      control.scope === 'platform'
        ? await withPlatform(database, (tx) => read(tx, platformOrgId))
        : await withOrg(database, orgId, (tx) => read(tx, orgId));
    return {
      from,
      to,
      results: rows.map((r) => ({
        status: r.status,
        summary: r.summary,
        exceptions: r.exceptions,
        since: r.firstSeenAt,
        until: r.lastSeenAt,
      })),
    };
  }

  /** How many controls passed, failed, were not applicable or unchecked at each day's end. */
  async function posture(orgId: string, input: { from?: string; to?: string } = {}) {
    const now = deps.clock.now();
    const days = postureDays(input, now);
    const { own, platform } = await readBoth(orgId, async (tx, owner) => [
      ...(await resultsAt(tx, owner, days.from)),
      ...(await resultsBetween(tx, owner, days.from, days.to)),
    ]);
    const orgIds = new Set(ofScope('org').map((c) => c.id));
    const platformIds = new Set(ofScope('platform').map((c) => c.id));
    const results = [
      ...own.filter((r) => orgIds.has(r.controlId)),
      ...platform.filter((r) => platformIds.has(r.controlId)),
    ];
    // A result current at `from` and first found within the days is read twice.
    const unique = [...new Map(results.map((r) => [r.id, r])).values()];
    return {
      days: postureOf(
        deps.controls.map((c) => c.id),
        unique,
        days,
        now,
      ),
    };
  }

  /** Runs the organization's checks now (the platform organization: the platform's too). */
  async function runNow(orgId: string, actor: AuditActor) {
    const report = await deps.runner.runOrg(orgId, actor);
    return { report, view: await controlsOf(orgId) };
  }

  return { controlsOf, history, posture, runNow, controlOf };
}

export type ComplianceService = ReturnType<typeof createComplianceService>;
