import type { AlertNotificationsInOrg } from '../../alerts/index.ts';
import { operatorActor } from '../../platform/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  type CommandContext,
  findOrg,
  idOf,
  iso,
  onlyOptions,
  positional,
  print,
  required,
  tableOr,
  text,
  UsageError,
  withCore,
} from './kit.ts';

/** The service's validation, in the words of the command line. */
const invalidEndpoint = asUsage(['webhook.invalid'], {
  name: '--name',
  url: '--url',
  minSeverity: '--min-severity',
});

const severities = ['low', 'medium', 'high', 'critical'];
const statuses = ['pending', 'delivered', 'dead'] as const;

function severityOf(ctx: CommandContext): string | undefined {
  const value = text(ctx, 'min-severity');
  if (value !== undefined && !severities.includes(value))
    throw new UsageError(`--min-severity must be one of ${severities.join(', ')}`);
  return value;
}

/**
 * Runs `work` with the operator's use cases in the organization `--org` names (required), each
 * in a transaction of its own.
 */
async function inOrg<T>(
  ctx: CommandContext,
  command: string,
  work: (notifications: AlertNotificationsInOrg, org: { id: string; slug: string }) => Promise<T>,
): Promise<T> {
  const slug = required(ctx, command, 'org', 'SLUG');
  return withCore(ctx, async (core) => {
    const services = createServices(core);
    const org = findOrg(await services.tenancy.organizations(), slug);
    return work(services.alertNotifications, org);
  });
}

/**
 * Webhook endpoints for alerts and the delivery log (docs/webhooks.md): the same operations as
 * the admin API, for the operator.
 */
export const webhookCommands: Record<string, Command> = {
  async 'webhooks list'(ctx) {
    const command = 'webhooks list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return inOrg(ctx, command, async (notifications, org) => {
      const endpoints = await notifications.list(org.id);
      print(
        ctx,
        tableOr(
          ['ID', 'NAME', 'URL', 'MIN SEVERITY', 'ENABLED', 'UPDATED'],
          endpoints.map((e) => [
            e.id,
            e.name,
            e.url,
            e.minSeverity,
            e.enabled ? 'yes' : 'no',
            iso(e.updatedAt),
          ]),
          `no webhook endpoints in ${org.slug}`,
        ),
        { endpoints },
      );
      return 0;
    });
  },

  async 'webhooks add'(ctx) {
    const command = 'webhooks add';
    onlyOptions(ctx, command, ['org', 'name', 'url', 'min-severity']);
    positional(ctx, command, []);
    const input = {
      name: required(ctx, command, 'name', 'NAME'),
      url: required(ctx, command, 'url', 'URL'),
      minSeverity: severityOf(ctx),
    };
    return inOrg(ctx, command, async (notifications, org) => {
      const { endpoint, secret } = await notifications
        .create(org.id, input, operatorActor)
        .catch(invalidEndpoint);
      print(
        ctx,
        [
          `added webhook endpoint ${endpoint.id} "${endpoint.name}" to ${org.slug}: ${endpoint.url} (alerts from ${endpoint.minSeverity})`,
          `signing secret: ${secret}`,
          'The secret is shown this once: give it to the receiver now (docs/webhooks.md#verifying).',
        ].join('\n'),
        { endpoint, secret, shownOnce: true },
      );
      return 0;
    });
  },

  async 'webhooks update'(ctx) {
    const command = 'webhooks update';
    onlyOptions(ctx, command, ['org', 'name', 'url', 'min-severity', 'enable', 'disable']);
    const id = idOf(ctx, command, 'endpoint');
    if (ctx.options.enable === true && ctx.options.disable === true)
      throw new UsageError(`${command}: --enable or --disable, not both`);
    const enabled =
      ctx.options.enable === true ? true : ctx.options.disable === true ? false : undefined;
    const change = {
      name: text(ctx, 'name'),
      url: text(ctx, 'url'),
      minSeverity: severityOf(ctx),
      enabled,
    };
    if (Object.values(change).every((value) => value === undefined))
      throw new UsageError(`${command} needs --name, --url, --min-severity, --enable or --disable`);
    return inOrg(ctx, command, async (notifications, org) => {
      const endpoint = await notifications
        .update(org.id, id, change, operatorActor)
        .catch(invalidEndpoint);
      print(
        ctx,
        `updated webhook endpoint ${endpoint.id} "${endpoint.name}": ${endpoint.url}, alerts from ${endpoint.minSeverity}, ${endpoint.enabled ? 'enabled' : 'disabled'}`,
        { endpoint },
      );
      return 0;
    });
  },

  async 'webhooks rotate'(ctx) {
    const command = 'webhooks rotate';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command, 'endpoint');
    return inOrg(ctx, command, async (notifications, org) => {
      const secret = await notifications.rotateSecret(org.id, id, operatorActor);
      print(
        ctx,
        [
          `new signing secret for webhook endpoint ${id}: ${secret}`,
          'The old secret no longer signs. The new one is shown this once: give it to the receiver now.',
        ].join('\n'),
        { id, secret, shownOnce: true },
      );
      return 0;
    });
  },

  async 'webhooks delete'(ctx) {
    const command = 'webhooks delete';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command, 'endpoint');
    return inOrg(ctx, command, async (notifications, org) => {
      await notifications.delete(org.id, id, operatorActor);
      print(ctx, `deleted webhook endpoint ${id}; what was pending for it is dead`, {
        id,
        deleted: true,
      });
      return 0;
    });
  },

  async 'webhooks test'(ctx) {
    const command = 'webhooks test';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command, 'endpoint');
    return inOrg(ctx, command, async (notifications, org) => {
      const result = await notifications.test(org.id, id);
      print(
        ctx,
        result.delivered
          ? `delivered: the endpoint answered ${result.status}`
          : `not delivered: ${result.error}`,
        result,
      );
      return result.delivered ? 0 : 1;
    });
  },

  async 'alerts deliveries'(ctx) {
    const command = 'alerts deliveries';
    onlyOptions(ctx, command, ['org', 'status', 'limit']);
    positional(ctx, command, []);
    const status = text(ctx, 'status');
    if (status !== undefined && !statuses.includes(status as (typeof statuses)[number]))
      throw new UsageError(`--status must be one of ${statuses.join(', ')}`);
    const limitText = text(ctx, 'limit') ?? '50';
    if (!/^\d{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 200)
      throw new UsageError('--limit must be a number from 1 to 200');
    const query = {
      status: statuses.find((s) => s === status),
      limit: Number(limitText),
    };
    return inOrg(ctx, command, async (notifications, org) => {
      const { items } = await notifications.deliveries(org.id, query);
      print(
        ctx,
        tableOr(
          ['ID', 'ALERT', 'CHANNEL', 'RECIPIENT', 'STATUS', 'ATTEMPTS', 'NEXT', 'LAST ERROR'],
          items.map((d) => [
            d.id,
            d.alertId,
            d.channel,
            d.recipient,
            d.status,
            String(d.attempts),
            iso(d.nextAttemptAt),
            d.lastError ?? '-',
          ]),
          `no ${status ?? ''}${status ? ' ' : ''}alert deliveries in ${org.slug}`,
        ),
        { deliveries: items },
      );
      return 0;
    });
  },

  async 'alerts retry'(ctx) {
    const command = 'alerts retry';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command, 'delivery');
    return inOrg(ctx, command, async (notifications, org) => {
      const delivery = await notifications.retry(org.id, id, operatorActor);
      print(ctx, `delivery ${id} is pending again; it is sent at the next round`, { delivery });
      return 0;
    });
  },
};
