/**
 * Alerts from the command line (docs/alerts.md#command-line): the inbox of an organization
 * (`--org`, the platform's by default), the rules with its settings, and one round of the rules
 * now (`vigil alerts run`, which also runs the periodic checks).
 */
import { type Alert, type Alerts, severities, statuses } from '../../alerts/index.ts';
import { isUuid, operatorActor } from '../../platform/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  type CommandContext,
  findOrg,
  iso,
  onlyOptions,
  positional,
  print,
  required,
  table,
  tableOr,
  text,
  UsageError,
  withCore,
} from './kit.ts';

const invalidStep = asUsage(['alert.invalid', 'alert.assignee_invalid'], {
  note: '--note',
  assigneeId: '--to',
});

function oneOf<T extends string>(ctx: CommandContext, name: string, allowed: readonly T[]) {
  const value = text(ctx, name);
  if (value !== undefined && !allowed.includes(value as T))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T | undefined;
}

function alertId(ctx: CommandContext, command: string): string {
  const [id = ''] = positional(ctx, command, ['alert-id']);
  if (!isUuid(id)) throw new UsageError(`ALERT-ID: ${id} is not an id`);
  return id;
}

const line = (a: Alert) =>
  `alert ${a.id} [${a.severity}] ${a.title} (${a.rule}), ${a.status}, ${a.eventCount} events`;

/** The services and the organization of `--org` (the platform's without it). */
async function setup(ctx: CommandContext, core: Parameters<Parameters<typeof withCore>[1]>[0]) {
  const services = createServices(core);
  const org = findOrg(await services.tenancy.organizations(), text(ctx, 'org'));
  return { services, org, inbox: services.alerts.inOrg };
}

/** ack, assign and resolve: one step on one alert, printed as it stands after. */
function stepCommand(
  command: string,
  options: string[],
  step: (inbox: Alerts['inOrg'], orgId: string, id: string, ctx: CommandContext) => Promise<Alert>,
): Command {
  return async (ctx) => {
    onlyOptions(ctx, command, ['org', ...options]);
    const id = alertId(ctx, command);
    return withCore(ctx, async (core) => {
      const { org, inbox } = await setup(ctx, core);
      const alert = await step(inbox, org.id, id, ctx).catch(invalidStep);
      print(ctx, line(alert), { alert });
      return 0;
    });
  };
}

export const alertCommands: Record<string, Command> = {
  async 'alerts list'(ctx) {
    const command = 'alerts list';
    onlyOptions(ctx, command, ['org', 'status', 'severity', 'rule', 'limit']);
    positional(ctx, command, []);
    const limit = Number(text(ctx, 'limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new UsageError('--limit must be a whole number from 1 to 1000');
    const query = {
      status: oneOf(ctx, 'status', statuses),
      severity: oneOf(ctx, 'severity', severities),
      rule: text(ctx, 'rule'),
      limit,
    };
    return withCore(ctx, async (core) => {
      const { org, inbox } = await setup(ctx, core);
      const { alerts } = await inbox.list(org.id, query);
      print(
        ctx,
        tableOr(
          ['ID', 'SEVERITY', 'STATUS', 'RULE', 'EVENTS', 'LAST SEEN', 'TITLE'],
          alerts.map((a) => [
            a.id,
            a.severity,
            a.status,
            a.rule,
            String(a.eventCount),
            iso(a.lastSeenAt),
            a.title,
          ]),
          `no alerts in ${org.slug}`,
        ),
        { alerts },
      );
      return 0;
    });
  },

  async 'alerts show'(ctx) {
    const command = 'alerts show';
    onlyOptions(ctx, command, ['org']);
    const id = alertId(ctx, command);
    return withCore(ctx, async (core) => {
      const { org, inbox } = await setup(ctx, core);
      const { alert, events } = await inbox.get(org.id, id);
      const human = [
        line(alert),
        `first seen ${iso(alert.firstSeenAt)}, last seen ${iso(alert.lastSeenAt)}; assignee ${alert.assigneeId ?? '-'}`,
        ...(alert.resolvedAt
          ? [`resolved ${iso(alert.resolvedAt)} by ${alert.resolvedBy}: ${alert.resolutionNote}`]
          : []),
        `details: ${JSON.stringify(alert.details)}`,
        table(
          ['EVENT', 'AT', 'ACTION', 'ACTOR', 'TARGET'],
          events.map((e) => [
            e.id,
            iso(e.occurredAt),
            e.action,
            `${e.actor.type}:${e.actor.id ?? '-'}`,
            e.target.id ?? '-',
          ]),
        ),
      ].join('\n');
      print(ctx, human, { alert, events });
      return 0;
    });
  },

  'alerts ack': stepCommand('alerts ack', [], (inbox, orgId, id) =>
    inbox.acknowledge(orgId, id, operatorActor),
  ),

  'alerts assign': stepCommand('alerts assign', ['to'], (inbox, orgId, id, ctx) => {
    const to = required(ctx, 'alerts assign', 'to', 'USER-ID|none');
    return inbox.assign(orgId, id, to === 'none' ? null : to, operatorActor);
  }),

  'alerts resolve': stepCommand('alerts resolve', ['note'], (inbox, orgId, id, ctx) =>
    inbox.resolve(orgId, id, required(ctx, 'alerts resolve', 'note', 'TEXT'), operatorActor),
  ),

  async 'alerts rules'(ctx) {
    const command = 'alerts rules';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const { services, org } = await setup(ctx, core);
      const rules = await services.alerts.inOrg.rules(org.id);
      const human = [
        `alert policy version ${rules.version} of ${org.slug}; mail from severity ${rules.emailMinSeverity}`,
        table(
          ['RULE', 'KIND', 'ON', 'SEVERITY', 'THRESHOLDS'],
          rules.rules.map((r) => [
            r.key,
            r.kind,
            r.enabled ? 'yes' : 'no',
            r.severity,
            Object.entries(r.thresholds)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ') || '-',
          ]),
        ),
      ].join('\n');
      print(ctx, human, rules);
      return 0;
    });
  },

  async 'alerts run'(ctx) {
    const command = 'alerts run';
    onlyOptions(ctx, command, []);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const report = await createServices(core).alerts.engine.runRound({ checks: true });
      const human = !report.ran
        ? 'another node is running the alert rules; nothing done'
        : report.started
          ? 'first round: the rules start at the end of the audit log (no alerts over its history)'
          : [
              `events read: ${report.events}`,
              `alerts raised: ${report.raised}`,
              `alerts that grew: ${report.grown}`,
              ...(report.replayed > 0
                ? [`events replayed into the windows: ${report.replayed}`]
                : []),
              ...(report.failedRules > 0
                ? [`rules that failed (see the log): ${report.failedRules}`]
                : []),
            ].join('\n');
      print(ctx, human, report);
      return report.failedRules > 0 ? 1 : 0;
    });
  },
};
