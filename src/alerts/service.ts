import { hostname } from 'node:os';
import type { AuditVerification } from '../audit/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type ChangeFeed,
  type Clock,
  type Database,
  type Logger,
  newId,
  type Tx,
  withOrg,
  withPlatform,
} from '../platform/index.ts';
import { allRules, isCheck } from './catalog.ts';
import { createAlertEngine, type EngineDeps } from './engine.ts';
import { type AlertQuery, createAlertInbox } from './inbox.ts';
import { createAlertPolicy, settingsOf } from './policy.ts';
import { createRaiser } from './raise.ts';
import type { GeoLocator, NamedCertificate, OrganizationCertificate } from './rule.ts';
import { createAuditVerifySchedule } from './verify-schedule.ts';

/** A role as the alerts read it: its key, whether privileged, what it permits. */
interface RoleLike {
  key: string;
  privileged: boolean;
  permissions: readonly string[];
}

export interface AlertsDeps {
  database: Database;
  audit: AuditWriter;
  clock: Clock;
  changes?: ChangeFeed;
  logger: Logger;
  /** The console's origin (links in mails). */
  publicUrl: string;
  /** rbac: an organization's roles, and the roles each of its users holds now. */
  rolesOf(tx: Tx, orgId: string): Promise<RoleLike[]>;
  holdersIn(tx: Tx, orgId: string): Promise<Map<string, RoleLike[]>>;
  verification: Pick<AuditVerification, 'run' | 'lastRun'>;
  verifyIntervalHours: number;
  /** The offline IP geolocation of the location rules; without one, no address is located. */
  geo?: GeoLocator;
  /** The certificates the expiry check watches (the server's TLS certificate). */
  certificates?: () => Promise<NamedCertificate[]>;
  /** Every organization's SSO certificates (the SSO expiry check), read in the given transaction. */
  organizationCertificates?: (tx: Tx) => Promise<OrganizationCertificate[]>;
  /** This node's name in the feed cursor; unique per process by default. */
  nodeId?: string;
  engine?: Partial<Pick<EngineDeps, 'pageSize' | 'maxPages' | 'checkEveryMs' | 'rules'>>;
}

/** Alerting (docs/alerts.md): the rules' settings, the engine, the inbox, scheduled verification. */
export function createAlerts(deps: AlertsDeps) {
  const inPlatform = <T>(work: (tx: Tx) => Promise<T>) => withPlatform(deps.database, work);
  const inOrg = <T>(orgId: string, work: (tx: Tx) => Promise<T>) =>
    withOrg(deps.database, orgId, work);
  const policy = createAlertPolicy(deps);
  const permissionsOfUsers = async (tx: Tx, orgId: string) => {
    const byUser = new Map<string, Set<string>>();
    for (const [userId, roles] of await deps.holdersIn(tx, orgId))
      byUser.set(userId, new Set(roles.flatMap((r) => r.permissions)));
    return byUser;
  };
  const raiser = createRaiser({
    audit: deps.audit,
    clock: deps.clock,
    publicUrl: deps.publicUrl,
    async alertManagers(tx, orgId) {
      const held = await permissionsOfUsers(tx, orgId);
      return [...held].filter(([, p]) => p.has('alerts.manage')).map(([userId]) => userId);
    },
  });
  const engine = createAlertEngine({
    ...deps.engine,
    database: deps.database,
    inPlatform,
    clock: deps.clock,
    logger: deps.logger,
    nodeId: deps.nodeId ?? `${hostname()}-${process.pid}-${newId()}`,
    policy,
    raiser,
    directory: {
      async isPrivilegedRole(tx, orgId, roleKey) {
        return (await deps.rolesOf(tx, orgId)).some((r) => r.key === roleKey && r.privileged);
      },
    },
    geo: deps.geo ?? { locate: () => null },
    certificates: deps.certificates ?? (async () => []),
    organizationCertificates: deps.organizationCertificates ?? (async () => []),
  });
  const inbox = createAlertInbox({ audit: deps.audit, clock: deps.clock, permissionsOfUsers });
  const verifySchedule = createAuditVerifySchedule({
    database: deps.database,
    inPlatform,
    clock: deps.clock,
    verification: deps.verification,
    intervalHours: deps.verifyIntervalHours,
  });

  /** Every rule with its defaults and the organization's settings for it (docs/alerts.md#rules). */
  async function rules(tx: Tx, orgId: string) {
    const current = await policy.policy(tx, orgId);
    return {
      rules: allRules().map((rule) => ({
        key: rule.key,
        name: rule.name,
        description: rule.description,
        kind: isCheck(rule) ? ('check' as const) : ('event' as const),
        defaultSeverity: rule.defaultSeverity,
        defaultThresholds: rule.defaultThresholds as Record<string, number>,
        ...settingsOf(rule, current.policy),
      })),
      emailMinSeverity: current.policy.emailMinSeverity,
      version: current.version,
    };
  }

  return {
    policy,
    engine,
    inbox,
    verifySchedule,
    rules,

    /** The inbox and the rules, each call a transaction of its own in the organization (the CLI). */
    inOrg: {
      list: (orgId: string, query: AlertQuery) =>
        inOrg(orgId, (tx) => inbox.list(tx, orgId, query)),
      get: (orgId: string, alertId: string) => inOrg(orgId, (tx) => inbox.get(tx, orgId, alertId)),
      acknowledge: (orgId: string, alertId: string, actor: AuditActor) =>
        inOrg(orgId, (tx) => inbox.acknowledge(tx, orgId, alertId, actor)),
      assign: (orgId: string, alertId: string, assigneeId: string | null, actor: AuditActor) =>
        inOrg(orgId, (tx) => inbox.assign(tx, orgId, alertId, assigneeId, actor)),
      resolve: (orgId: string, alertId: string, note: string, actor: AuditActor) =>
        inOrg(orgId, (tx) => inbox.resolve(tx, orgId, alertId, note, actor)),
      rules: (orgId: string) => inOrg(orgId, (tx) => rules(tx, orgId)),
    },
  };
}

export type Alerts = ReturnType<typeof createAlerts>;
export type AlertRules = Awaited<ReturnType<Alerts['rules']>>;
