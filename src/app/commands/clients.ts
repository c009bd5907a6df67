import { isUuid, operatorActor, platformOrgId } from '../../platform/index.ts';
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
  tableOr,
  text,
  texts,
  UsageError,
  withCore,
} from './kit.ts';

function clientId(ctx: CommandContext, command: string): string {
  const [id = ''] = positional(ctx, command, ['id']);
  if (!isUuid(id)) throw new UsageError(`${command}: ${id} is not a client id`);
  return id;
}

const clientKinds = ['web', 'spa', 'native', 'machine'] as const;

/** Client input fields as the options that set them, for validation messages. */
const clientOptionOf: Record<string, string> = {
  name: '--name',
  kind: '--kind',
  firstParty: '--first-party',
  redirectUris: '--redirect-uri',
  postLogoutRedirectUris: '--post-logout-uri',
  backchannelLogoutUri: '--backchannel-logout-uri',
  grantTypes: '--grant',
  resources: '--resource',
  apiScopes: '--api-scope',
};

/** `clients create`'s options as the client service's input. */
function clientInput(ctx: CommandContext, command: string) {
  onlyOptions(ctx, command, [
    'org',
    'name',
    'kind',
    'redirect-uri',
    'post-logout-uri',
    'backchannel-logout-uri',
    'grant',
    'resource',
    'api-scope',
    'first-party',
  ]);
  positional(ctx, command, []);
  const name = text(ctx, 'name');
  if (!name) throw new UsageError(`${command} needs --name NAME`);
  const kind = text(ctx, 'kind');
  if (!clientKinds.includes(kind as (typeof clientKinds)[number]))
    throw new UsageError(`${command} needs --kind ${clientKinds.join('|')}`);
  const grants = texts(ctx, 'grant');
  return {
    name,
    kind,
    firstParty: ctx.options['first-party'] === true,
    redirectUris: texts(ctx, 'redirect-uri'),
    postLogoutRedirectUris: texts(ctx, 'post-logout-uri'),
    backchannelLogoutUri: text(ctx, 'backchannel-logout-uri'),
    grantTypes: grants.length ? grants : undefined,
    resources: texts(ctx, 'resource'),
    apiScopes: texts(ctx, 'api-scope'),
  };
}

/** OAuth clients from the command line (docs/oidc.md): register, list, rotate a secret, disable. */
export const clientCommands: Record<string, Command> = {
  async 'clients create'(ctx) {
    const input = clientInput(ctx, 'clients create');
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = findOrg(await services.tenancy.organizations(), text(ctx, 'org'));
      const { client, secret } = await services.oauth.clients
        .createInOrg(org.id, input, operatorActor)
        .catch(asUsage(['oauth.client_invalid'], clientOptionOf));
      const owner =
        org.id === platformOrgId
          ? 'a platform client, serving every organization'
          : `organization ${org.slug}`;
      const lines = [
        `created ${client.kind} client ${client.id} "${client.name}" (${owner})`,
        `client_id:     ${client.id}`,
      ];
      if (secret)
        lines.push(
          `client_secret: ${secret}`,
          'The secret is shown this once and cannot be shown again: store it now.',
          `(\`vigil clients rotate-secret ${client.id}\` makes a new one.)`,
        );
      else lines.push('A public client: no secret (PKCE).');
      print(ctx, lines.join('\n'), {
        client: { ...client, orgSlug: org.slug },
        secret,
        secretShownOnce: secret !== null,
      });
      return 0;
    });
  },

  async 'clients list'(ctx) {
    const command = 'clients list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const orgs = await services.tenancy.organizations();
      const wanted = text(ctx, 'org');
      const org = wanted === undefined ? undefined : findOrg(orgs, wanted);
      const clients = await services.oauth.clients.listInOrg(org?.id);
      const slugOf = (id: string) => orgs.find((o) => o.id === id)?.slug ?? id;
      const rows = clients.map((c) => ({ ...c, orgSlug: slugOf(c.orgId) }));
      const header = [
        'ID',
        'ORG',
        'NAME',
        'KIND',
        'STATUS',
        'FIRST PARTY',
        'GRANTS',
        'REDIRECT URIS',
        'CREATED',
      ];
      const cells = rows.map((c) => [
        c.id,
        c.orgSlug,
        c.name,
        c.kind,
        c.status,
        c.firstParty ? 'yes' : 'no',
        c.grantTypes.join(','),
        c.redirectUris.join(' ') || '-',
        iso(c.createdAt),
      ]);
      print(ctx, tableOr(header, cells, 'no clients'), { clients: rows });
      return 0;
    });
  },

  async 'clients rotate-secret'(ctx) {
    const command = 'clients rotate-secret';
    onlyOptions(ctx, command, []);
    const id = clientId(ctx, command);
    return withCore(ctx, async (core) => {
      const { oauth } = createServices(core);
      const { secret, client } = await oauth.clients.rotateSecretById(id, operatorActor);
      const until = client?.previousSecretValidUntil ?? null;
      print(
        ctx,
        [
          `new secret for client ${id}${client ? ` "${client.name}"` : ''}:`,
          `client_secret: ${secret}`,
          'The secret is shown this once and cannot be shown again: store it now.',
          `The previous secret is still accepted until ${iso(until)}.`,
        ].join('\n'),
        { id, secret, secretShownOnce: true, previousSecretValidUntil: until },
      );
      return 0;
    });
  },

  async 'clients disable'(ctx) {
    const command = 'clients disable';
    onlyOptions(ctx, command, []);
    const id = clientId(ctx, command);
    return withCore(ctx, async (core) => {
      const { oauth } = createServices(core);
      const changed = await oauth.clients.disableById(id, operatorActor);
      print(
        ctx,
        changed
          ? `client ${id} disabled: it signs no one in, gets no tokens, and Vigil no longer accepts the tokens it has`
          : `client ${id} was already disabled (nothing changed)`,
        { id, status: 'disabled', changed },
      );
      return 0;
    });
  },
};
