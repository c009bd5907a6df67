import { isUuid, operatorActor } from '../../platform/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  days,
  findOrg,
  iso,
  onlyOptions,
  positional,
  print,
  tableOr,
  text,
  texts,
  UsageError,
  withCore,
} from './kit.ts';

/** The service's validation, in the words of the command line. */
const invalidKey = asUsage(['apikey.invalid'], {
  name: '--name',
  permissions: '--permission',
  expiresInDays: '--expires-in-days',
});

/**
 * API keys from the command line (docs/access-control.md#api-keys): the operator creates a key
 * for an integration before any administrator exists, lists keys, and revokes one at once.
 */
export const apiKeyCommands: Record<string, Command> = {
  async 'apikeys create'(ctx) {
    const command = 'apikeys create';
    onlyOptions(ctx, command, ['org', 'name', 'permission', 'expires-in-days']);
    positional(ctx, command, []);
    const name = text(ctx, 'name');
    if (!name) throw new UsageError(`${command} needs --name NAME`);
    const permissions = texts(ctx, 'permission');
    if (permissions.length === 0) throw new UsageError(`${command} needs --permission ID`);
    const input = { name, permissions, expiresInDays: days(ctx, 'expires-in-days') };
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = findOrg(await services.tenancy.organizations(), text(ctx, 'org'));
      const { key, token } = await services.apiKeys
        .createInOrg(org.id, input, operatorActor)
        .catch(invalidKey);
      print(
        ctx,
        [
          `created API key ${key.id} "${key.name}" for organization ${org.slug}, expires ${iso(key.expiresAt)}`,
          `permissions: ${key.permissions.join(', ')}`,
          `key: ${token}`,
          'The key is shown this once and cannot be shown again: store it now.',
        ].join('\n'),
        { key: { ...key, orgSlug: org.slug }, token, shownOnce: true },
      );
      return 0;
    });
  },

  async 'apikeys list'(ctx) {
    const command = 'apikeys list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    if (text(ctx, 'org') === undefined) throw new UsageError(`${command} needs --org SLUG`);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = findOrg(await services.tenancy.organizations(), text(ctx, 'org'));
      const keys = await services.apiKeys.listInOrg(org.id);
      print(
        ctx,
        tableOr(
          ['ID', 'NAME', 'PERMISSIONS', 'CREATED BY', 'EXPIRES', 'LAST USED', 'REVOKED'],
          keys.map((k) => [
            k.id,
            k.name,
            k.permissions.join(','),
            k.createdBy ?? 'operator',
            iso(k.expiresAt),
            iso(k.lastUsedAt),
            iso(k.revokedAt),
          ]),
          `no API keys in ${org.slug}`,
        ),
        { keys },
      );
      return 0;
    });
  },

  async 'apikeys revoke'(ctx) {
    const command = 'apikeys revoke';
    onlyOptions(ctx, command, ['org', 'reason']);
    const [id = ''] = positional(ctx, command, ['id']);
    if (!isUuid(id)) throw new UsageError(`${command}: ${id} is not an API key id`);
    const reason = text(ctx, 'reason');
    if (!reason) throw new UsageError(`${command} needs --reason TEXT`);
    if (text(ctx, 'org') === undefined) throw new UsageError(`${command} needs --org SLUG`);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = findOrg(await services.tenancy.organizations(), text(ctx, 'org'));
      await services.apiKeys.revokeInOrg(org.id, id, reason, operatorActor);
      print(ctx, `API key ${id} revoked: it is refused from now on`, { id, revoked: true });
      return 0;
    });
  },
};
