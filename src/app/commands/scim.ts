import { isUuid, operatorActor } from '../../platform/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  type CommandContext,
  days,
  findOrg,
  iso,
  onlyOptions,
  positional,
  print,
  required,
  tableOr,
  UsageError,
  withCore,
} from './kit.ts';

/** The services' validation, in the words of the command line. */
const invalidToken = asUsage(['scim.token_invalid'], { name: '--name', expiresInDays: '--days' });
const invalidRoles = asUsage(['scim.group_roles_invalid'], { roleKeys: '--roles' });

/** The organization of `--org` (required: a directory belongs to one organization). */
async function orgOf(
  ctx: CommandContext,
  command: string,
  services: ReturnType<typeof createServices>,
) {
  return findOrg(await services.tenancy.organizations(), required(ctx, command, 'org', 'SLUG'));
}

/** `--roles a,b` (an empty value clears the mapping). */
function roleList(ctx: CommandContext, command: string): string[] {
  const value = ctx.options.roles;
  if (typeof value !== 'string')
    throw new UsageError(`${command} needs --roles KEY,KEY ('' clears)`);
  return value
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
}

/**
 * The organization's directory from the command line (docs/scim.md): SCIM tokens (created for a
 * directory's connector, printed once; listed; revoked) and the roles its pushed groups map to.
 */
export const scimCommands: Record<string, Command> = {
  async 'scim tokens create'(ctx) {
    const command = 'scim tokens create';
    onlyOptions(ctx, command, ['org', 'name', 'days']);
    positional(ctx, command, []);
    const name = required(ctx, command, 'name', 'NAME');
    const input = { name, expiresInDays: days(ctx, 'days') };
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await orgOf(ctx, command, services);
      const { scimToken, token } = await services.scimTokens
        .createInOrg(org.id, input, operatorActor)
        .catch(invalidToken);
      const baseUrl = `${core.config.VIGIL_PUBLIC_URL.replace(/\/$/, '')}/scim/v2/${org.slug}`;
      print(
        ctx,
        [
          `created SCIM token ${scimToken.id} "${scimToken.name}" for organization ${org.slug}, expires ${iso(scimToken.expiresAt)}`,
          `SCIM base URL: ${baseUrl}`,
          `token: ${token}`,
          'The token is shown this once and cannot be shown again: give it to the directory now.',
        ].join('\n'),
        { scimToken: { ...scimToken, orgSlug: org.slug }, token, baseUrl, shownOnce: true },
      );
      return 0;
    });
  },

  async 'scim tokens list'(ctx) {
    const command = 'scim tokens list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await orgOf(ctx, command, services);
      const tokens = await services.scimTokens.listInOrg(org.id);
      print(
        ctx,
        tableOr(
          ['ID', 'NAME', 'CREATED BY', 'EXPIRES', 'LAST USED', 'FROM', 'REVOKED'],
          tokens.map((t) => [
            t.id,
            t.name,
            t.createdBy ?? 'operator',
            iso(t.expiresAt),
            iso(t.lastUsedAt),
            t.lastUsedIp ?? '-',
            iso(t.revokedAt),
          ]),
          `no SCIM tokens in ${org.slug}`,
        ),
        { tokens },
      );
      return 0;
    });
  },

  async 'scim tokens revoke'(ctx) {
    const command = 'scim tokens revoke';
    onlyOptions(ctx, command, ['org', 'id']);
    positional(ctx, command, []);
    const id = required(ctx, command, 'id', 'ID');
    if (!isUuid(id)) throw new UsageError(`--id: ${id} is not a SCIM token id`);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await orgOf(ctx, command, services);
      const revoked = await services.scimTokens.revokeInOrg(org.id, id, operatorActor);
      print(ctx, `SCIM token ${id} revoked: the directory using it is refused from now on`, {
        scimToken: revoked,
        revoked: true,
      });
      return 0;
    });
  },

  async 'scim groups list'(ctx) {
    const command = 'scim groups list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await orgOf(ctx, command, services);
      const groups = await services.groupRoles.listGroupsInOrg(org.id);
      print(
        ctx,
        tableOr(
          ['ID', 'NAME', 'MEMBERS', 'ROLES'],
          groups.map((g) => [g.id, g.displayName, String(g.members), g.roleKeys.join(',') || '-']),
          `no SCIM groups in ${org.slug} (the directory has pushed none)`,
        ),
        { groups },
      );
      return 0;
    });
  },

  async 'scim groups map'(ctx) {
    const command = 'scim groups map';
    onlyOptions(ctx, command, ['org', 'group', 'roles']);
    positional(ctx, command, []);
    const groupId = required(ctx, command, 'group', 'ID');
    if (!isUuid(groupId)) throw new UsageError(`--group: ${groupId} is not a SCIM group id`);
    const roleKeys = roleList(ctx, command);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = await orgOf(ctx, command, services);
      const { group, sync } = await services.groupRoles
        .setGroupRolesInOrg(org.id, groupId, roleKeys, operatorActor)
        .catch(invalidRoles);
      print(
        ctx,
        [
          `SCIM group "${group.displayName}" (${group.members} members) maps to: ${group.roleKeys.join(', ') || 'no role'}`,
          `members: ${sync.assigned} roles assigned, ${sync.requested} access requests opened (roles that need approval), ${sync.removed} roles removed, ${sync.withdrawn} requests withdrawn, ${sync.refused} refused by conflict rules`,
        ].join('\n'),
        { group, sync },
      );
      return 0;
    });
  },
};
