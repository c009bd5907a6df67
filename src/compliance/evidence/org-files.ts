/**
 * The organization's files of a pack, each read in the pack's one organization snapshot: its
 * policies and their history, access at the period's end, reviews, deprovisioning, alerts, the
 * audit coverage and the controls' results. Large files are produced page by page.
 */
import type { DeprovisioningReport } from '../../lifecycle/index.ts';
import type { OAuthClient } from '../../oauth/index.ts';
import type { Tx } from '../../platform/index.ts';
import type { RoleDefinition } from '../../rbac/index.ts';
import type { CampaignRecord, CampaignSummary } from '../../reviews/index.ts';
import { userAccessHeader } from '../access-exports.ts';
import { toCsv } from '../csv.ts';
import { deprovisioningReportCsv } from '../deprovisioning-csv.ts';
import { reviewCsvHeader, reviewRecordCsv } from '../review-export.ts';
import { type Rollback, type UserAtEnd, usersAtEnd } from './access-at-end.ts';
import type { PolicyFileKind as PolicyKind } from './layout.ts';
import { eventCountsByAction } from './org-files.store.ts';

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export interface Period {
  from: Date;
  to: Date;
}

/** A policy kind's version in force at `to` and every version made in the period. */
export async function policyFile(tx: Tx, orgId: string, kind: PolicyKind, period: Period) {
  const versions = await tx
    .selectFrom('security_policies')
    .select(['version', 'settings', 'changed_by', 'changed_at'])
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .where('changed_at', '<', period.to)
    .orderBy('version')
    .execute();
  const shown = (v: (typeof versions)[number]) => ({
    version: v.version,
    settings: v.settings,
    changedBy: v.changed_by,
    changedAt: v.changed_at.toISOString(),
  });
  const inForce = versions[versions.length - 1];
  return json({
    kind,
    // No stored version: the built-in defaults applied (docs/policies.md).
    inForceAtEnd: inForce ? shown(inForce) : null,
    changesInPeriod: versions.filter((v) => v.changed_at >= period.from).map(shown),
  });
}

/** access/user-access.csv: one line per user at `to`, page by page. */
export async function* userAccessCsv(
  tx: Tx,
  orgId: string,
  to: Date,
  rollback: Rollback,
  privileged: Set<string>,
): AsyncGenerator<string> {
  yield toCsv(userAccessHeader, []);
  for await (const page of usersAtEnd(tx, orgId, to, rollback))
    yield toCsv(
      [],
      page.map((u) => userAccessRow(u, privileged)),
    ).replace(/^\r\n/, '');
}

const userAccessRow = (u: UserAtEnd, privileged: Set<string>) => [
  u.id,
  u.email,
  u.name,
  u.status,
  u.roles.join(';'),
  u.roles.some((r) => privileged.has(r)),
  u.factors.length > 0,
  iso(u.lastSignIn),
  iso(u.created),
  iso(u.deactivated),
];

export const mfaHeader = [
  'user_id',
  'email',
  'status',
  'privileged',
  'mfa_enrolled',
  'factor_count',
  'factor_kinds',
  'first_enrolled_at',
];

export interface MfaSummary {
  asOf: string;
  users: number;
  activeUsers: number;
  enrolledActiveUsers: number;
  privilegedActiveUsers: number;
  enrolledPrivilegedActiveUsers: number;
  /** Of active users, 0–1 (null without active users). */
  enrollmentRate: number | null;
  byKind: Record<string, number>;
}

/** mfa/enrollment.csv, page by page; fills `summary` as it goes (written next, as summary.json). */
export async function* mfaEnrollmentCsv(
  tx: Tx,
  orgId: string,
  to: Date,
  rollback: Rollback,
  privileged: Set<string>,
  summary: MfaSummary,
): AsyncGenerator<string> {
  yield toCsv(mfaHeader, []);
  for await (const page of usersAtEnd(tx, orgId, to, rollback)) {
    for (const u of page) {
      const isPrivileged = u.roles.some((r) => privileged.has(r));
      summary.users++;
      for (const kind of new Set(u.factors)) summary.byKind[kind] = (summary.byKind[kind] ?? 0) + 1;
      if (u.status !== 'active') continue;
      summary.activeUsers++;
      if (u.factors.length > 0) summary.enrolledActiveUsers++;
      if (isPrivileged) summary.privilegedActiveUsers++;
      if (isPrivileged && u.factors.length > 0) summary.enrolledPrivilegedActiveUsers++;
    }
    yield toCsv(
      [],
      page.map((u) => [
        u.id,
        u.email,
        u.status,
        u.roles.some((r) => privileged.has(r)),
        u.factors.length > 0,
        u.factors.length,
        [...new Set(u.factors)].join(' '),
        iso(u.firstFactorAt),
      ]),
    ).replace(/^\r\n/, '');
  }
  summary.enrollmentRate =
    summary.activeUsers === 0 ? null : summary.enrolledActiveUsers / summary.activeUsers;
}

export const emptyMfaSummary = (to: Date): MfaSummary => ({
  asOf: to.toISOString(),
  users: 0,
  activeUsers: 0,
  enrolledActiveUsers: 0,
  privilegedActiveUsers: 0,
  enrolledPrivilegedActiveUsers: 0,
  enrollmentRate: null,
  byKind: {},
});

/** access/permission-matrix.json: the roles that existed at `to`, with their permissions. */
export function permissionMatrix(
  roles: RoleDefinition[],
  permissions: readonly { id: string; description: string; risk: string }[],
  rollback: Rollback,
  to: Date,
) {
  return json({
    asOf: to.toISOString(),
    permissions: permissions.map((p) => ({ id: p.id, description: p.description, risk: p.risk })),
    roles: roles
      .filter((r) => !rollback.rolesCreatedAfter.has(r.key))
      .map((r) => ({
        key: r.key,
        name: r.name,
        description: r.description,
        purpose: r.purpose,
        builtIn: r.builtIn,
        privileged: r.privileged,
        requireMfa: r.requireMfa,
        requiresApproval: r.requiresApproval,
        permissions: r.permissions,
      })),
  });
}

/** Campaigns that ran during the period: launched before its end, not closed before its start. */
export const campaignsOfPeriod = (campaigns: CampaignSummary[], period: Period) =>
  campaigns
    .filter((c) => c.launchedAt < period.to && (!c.closedAt || c.closedAt >= period.from))
    .reverse();

/** reviews/items.csv: every campaign's items, one header (review-export.ts's columns). */
export function* reviewItemsCsv(records: Iterable<CampaignRecord>): Generator<string> {
  yield toCsv(['campaign_id', ...reviewCsvHeader], []);
  for (const record of records) {
    const csv = reviewRecordCsv(record);
    // Drop the record's own header (its first line: plain names, no quotes or line breaks) and
    // prefix each item row with its campaign: the rows' cells may hold line breaks, so the
    // campaign column is added by rebuilding the rows rather than by splitting lines.
    if (record.items.length === 0) continue;
    const body = csv.slice(csv.indexOf('\r\n') + 2);
    yield prefixRows(body, record.campaign.id);
  }
}

/** Prefixes every CSV record (not every physical line) of `body` with `value,`. */
function prefixRows(body: string, value: string): string {
  let out = `${value},`;
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') quoted = !quoted;
    out += c;
    if (!quoted && c === '\n' && i < body.length - 1) out += `${value},`;
  }
  return out;
}

/** The SLA report reads at most 366 days at once (docs/lifecycle.md#sla-report). */
const reportDays = 366;

/**
 * The deprovisioning report of a period up to a pack's 400 days: read in stretches the report
 * accepts, then one report, its totals recomputed over every row (the median as the report's:
 * the lower middle of the completed durations).
 */
export async function deprovisioningOver(
  read: (range: Period) => Promise<DeprovisioningReport>,
  period: Period,
): Promise<DeprovisioningReport> {
  const parts: DeprovisioningReport[] = [];
  for (let from = period.from; from < period.to; ) {
    const to = new Date(Math.min(period.to.getTime(), from.getTime() + reportDays * 86_400_000));
    parts.push(await read({ from, to }));
    from = to;
  }
  const [first] = parts;
  if (parts.length === 1 && first) return first;
  const items = parts.flatMap((p) => p.items);
  const durations = items
    .flatMap((i) => (i.durationSeconds === null ? [] : [i.durationSeconds]))
    .sort((a, b) => a - b);
  const count = (outcome: string) => items.filter((i) => i.outcome === outcome).length;
  return {
    from: period.from,
    to: period.to,
    generatedAt: parts[parts.length - 1]?.generatedAt ?? period.to,
    items,
    totals: {
      count: items.length,
      met: count('met'),
      missed: count('missed'),
      pending: count('pending'),
      p50DurationSeconds: durations[Math.floor((durations.length - 1) / 2)] ?? null,
      maxDurationSeconds: durations[durations.length - 1] ?? null,
    },
  };
}

/** deprovisioning/sla.json: the report without its rows (they are log.csv). */
export function deprovisioningFiles(report: DeprovisioningReport) {
  return {
    log: deprovisioningReportCsv(report),
    sla: json({
      from: report.from.toISOString(),
      to: report.to.toISOString(),
      generatedAt: report.generatedAt.toISOString(),
      totals: report.totals,
      slaHours: [...new Set(report.items.map((i) => i.slaHours))],
      missed: report.items
        .filter((i) => i.outcome === 'missed')
        .map((i) => ({
          userId: i.user.id,
          email: i.user.email,
          durationSeconds: i.durationSeconds,
        })),
    }),
  };
}

export const alertsHeader = [
  'alert_id',
  'rule',
  'severity',
  'title',
  'subject_user_id',
  'event_count',
  'first_seen_at',
  'last_seen_at',
  'status',
  'assignee_id',
  'acknowledged_at',
  'acknowledged_by',
  'resolved_at',
  'resolved_by',
  'resolution_note',
];

/** alerts/alerts.csv: alerts open at some time in the period, with who handled them and when. */
export async function* alertsCsv(tx: Tx, orgId: string, period: Period): AsyncGenerator<string> {
  yield toCsv(alertsHeader, []);
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    let query = tx
      .selectFrom('alerts')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('first_seen_at', '<', period.to)
      .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', period.from)]));
    if (after) {
      const a = after;
      query = query.where((eb) =>
        eb.or([
          eb('first_seen_at', '>', a.at),
          eb.and([eb('first_seen_at', '=', a.at), eb('id', '>', a.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('first_seen_at').orderBy('id').limit(1000).execute();
    const last = rows[rows.length - 1];
    if (!last) return;
    after = { at: last.first_seen_at, id: last.id };
    yield toCsv(
      [],
      rows.map((a) => [
        a.id,
        a.rule,
        a.severity,
        a.title,
        a.subject_user_id,
        a.event_count,
        iso(a.first_seen_at),
        iso(a.last_seen_at),
        a.status,
        a.assignee_id,
        iso(a.acknowledged_at),
        a.acknowledged_by,
        iso(a.resolved_at),
        a.resolved_by,
        a.resolution_note,
      ]),
    ).replace(/^\r\n/, '');
  }
}

/** audit/coverage.json: the period's events by action and outcome (one aggregate, not the rows). */
export async function auditCoverage(tx: Tx, orgId: string, period: Period) {
  const rows = await eventCountsByAction(tx, orgId, period);
  const total = rows.reduce((n, r) => n + Number(r.events), 0);
  return {
    total,
    text: json({
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      events: total,
      byAction: rows.map((r) => ({
        action: r.action,
        outcome: r.outcome,
        events: Number(r.events),
      })),
    }),
  };
}

/**
 * access/oauth-clients.json: every OAuth client of the organization as stored at export — its
 * grants and the URIs a browser is sent to, which the pkce check reads (no secret, no hash).
 */
export function oauthClientsFile(clients: OAuthClient[]) {
  return json({
    pkce: 'required (S256) on every authorization code request of every client',
    clients: clients.map((c) => ({
      id: c.id,
      name: c.name,
      kind: c.kind,
      status: c.status,
      grantTypes: c.grantTypes,
      redirectUris: c.redirectUris,
      postLogoutRedirectUris: c.postLogoutRedirectUris,
      backchannelLogoutUri: c.backchannelLogoutUri,
      createdAt: c.createdAt.toISOString(),
    })),
  });
}
