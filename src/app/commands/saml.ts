import { readFileSync } from 'node:fs';
import { operatorActor } from '../../platform/index.ts';
import type { SamlAdmin, SamlApplication } from '../../saml/index.ts';
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
  texts,
  UsageError,
  withCore,
} from './kit.ts';

/** The service's validation, in the words of the command line. */
const invalid = asUsage(['saml.application_invalid', 'saml.metadata_invalid'], {
  name: '--name',
  entityId: '--entity-id',
  acsUrls: '--acs',
  sloUrl: '--slo-url',
  nameIdFormat: '--name-id-format',
  attributeMapping: '--attribute',
  spCertificate: '--sp-certificate',
  metadataXml: '--sp-metadata',
});

const applicationOptions = [
  'org',
  'name',
  'entity-id',
  'acs',
  'slo-url',
  'name-id-format',
  'attribute',
  'sp-certificate',
  'encrypt-assertion',
  'want-signed-requests',
  'idp-initiated',
];

function readFile(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${option}: cannot read ${path}`);
  }
}

/** `--attribute NAME=SOURCE` (e.g. `mail=email`), each in order. */
function attributesOf(ctx: CommandContext) {
  return texts(ctx, 'attribute').map((pair) => {
    const [name = '', source = ''] = pair.split('=');
    if (!name || !source) throw new UsageError(`--attribute: ${pair} is not NAME=SOURCE`);
    return { name, source };
  });
}

/** The application settings the options give (only those given). */
function settingsOf(ctx: CommandContext): Record<string, unknown> {
  const certificate = text(ctx, 'sp-certificate');
  const settings: Record<string, unknown> = {
    name: text(ctx, 'name'),
    entityId: text(ctx, 'entity-id'),
    sloUrl: text(ctx, 'slo-url'),
    nameIdFormat: text(ctx, 'name-id-format'),
    spCertificate: certificate ? readFile(certificate, '--sp-certificate') : undefined,
  };
  const acs = texts(ctx, 'acs');
  if (acs.length > 0) settings.acsUrls = acs.map((url) => ({ url, binding: 'post' }));
  if (texts(ctx, 'attribute').length > 0) settings.attributeMapping = attributesOf(ctx);
  for (const [option, key] of [
    ['encrypt-assertion', 'encryptAssertion'],
    ['want-signed-requests', 'wantRequestsSigned'],
    ['idp-initiated', 'idpInitiated'],
  ] as const)
    if (ctx.options[option] === true) settings[key] = true;
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

async function inOrg<T>(
  ctx: CommandContext,
  command: string,
  work: (saml: SamlAdmin, org: { id: string; slug: string }) => Promise<T>,
): Promise<T> {
  const slug = required(ctx, command, 'org', 'SLUG');
  return withCore(ctx, async (core) => {
    const services = createServices(core);
    const org = findOrg(await services.tenancy.organizations(), slug);
    return work(services.saml.admin, org);
  });
}

const describe = (a: SamlApplication) =>
  [
    `${a.id} "${a.name}" (${a.enabled ? 'enabled' : 'disabled'})`,
    `  entity ID   ${a.entityId}`,
    ...a.acsUrls.map(
      (u) => `  ACS ${u.index}${u.isDefault ? '*' : ' '}     ${u.url} (${u.binding})`,
    ),
    `  NameID      ${a.nameIdFormat}`,
    `  signs       ${[a.signResponse ? 'response' : '', a.signAssertion ? 'assertion' : ''].filter(Boolean).join(' and ')}${a.encryptAssertion ? '; assertion encrypted' : ''}`,
    `  SLO         ${a.sloUrl ?? '-'}`,
    `  IdP-started ${a.initiateUrl ?? 'no'}`,
  ].join('\n');

/** `vigil saml …`: Vigil as the organizations' SAML identity provider (docs/sso.md). */
export const samlCommands: Record<string, Command> = {
  async 'saml apps list'(ctx) {
    const command = 'saml apps list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return inOrg(ctx, command, async (saml, org) => {
      const items = await saml.listApplications(org.id);
      print(
        ctx,
        tableOr(
          ['ID', 'NAME', 'ENTITY ID', 'NAMEID', 'ENABLED'],
          items.map((a) => [a.id, a.name, a.entityId, a.nameIdFormat, a.enabled ? 'yes' : 'no']),
          `no SAML applications in ${org.slug}`,
        ),
        { items },
      );
      return 0;
    });
  },

  async 'saml apps add'(ctx) {
    const command = 'saml apps add';
    onlyOptions(ctx, command, [...applicationOptions, 'sp-metadata']);
    positional(ctx, command, []);
    required(ctx, command, 'name', 'NAME');
    const metadata = text(ctx, 'sp-metadata');
    const input: Record<string, unknown> = {
      ...settingsOf(ctx),
      ...(metadata ? { metadataXml: readFile(metadata, '--sp-metadata') } : {}),
    };
    if (!metadata && (!input.entityId || !input.acsUrls))
      throw new UsageError(`${command} needs --sp-metadata FILE, or --entity-id and --acs URL`);
    return inOrg(ctx, command, async (saml, org) => {
      const app = await saml.createApplication(org.id, input, operatorActor).catch(invalid);
      print(ctx, `added SAML application to ${org.slug}:\n${describe(app)}`, { application: app });
      return 0;
    });
  },

  async 'saml apps show'(ctx) {
    const command = 'saml apps show';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command, 'application');
    return inOrg(ctx, command, async (saml, org) => {
      const app = await saml.getApplication(org.id, id);
      print(ctx, describe(app), { application: app });
      return 0;
    });
  },

  async 'saml apps update'(ctx) {
    const command = 'saml apps update';
    onlyOptions(ctx, command, [...applicationOptions, 'enable', 'disable']);
    const id = idOf(ctx, command, 'application');
    if (ctx.options.enable === true && ctx.options.disable === true)
      throw new UsageError(`${command}: --enable or --disable, not both`);
    const change = settingsOf(ctx);
    if (ctx.options.enable === true) change.enabled = true;
    if (ctx.options.disable === true) change.enabled = false;
    if (Object.keys(change).length === 0)
      throw new UsageError(`${command} needs something to change`);
    return inOrg(ctx, command, async (saml, org) => {
      const app = await saml.updateApplication(org.id, id, change, operatorActor).catch(invalid);
      print(ctx, `updated:\n${describe(app)}`, { application: app });
      return 0;
    });
  },

  async 'saml apps delete'(ctx) {
    const command = 'saml apps delete';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command, 'application');
    return inOrg(ctx, command, async (saml, org) => {
      await saml.deleteApplication(org.id, id, operatorActor);
      print(ctx, `deleted SAML application ${id}`, { id, deleted: true });
      return 0;
    });
  },

  async 'saml keys list'(ctx) {
    const command = 'saml keys list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return inOrg(ctx, command, async (saml, org) => {
      const items = (await saml.listKeys(org.id, operatorActor)).map(
        ({ certificate: _pem, ...key }) => key,
      );
      print(
        ctx,
        tableOr(
          ['ID', 'USE', 'STATE', 'FINGERPRINT (SHA-256)', 'NOT AFTER'],
          items.map((k) => [k.id, k.use, k.state, k.fingerprint, iso(k.notAfter)]),
          `no SAML keys in ${org.slug}`,
        ),
        { items },
      );
      return 0;
    });
  },

  async 'saml keys rotate'(ctx) {
    const command = 'saml keys rotate';
    onlyOptions(ctx, command, ['org', 'use']);
    positional(ctx, command, []);
    const use = required(ctx, command, 'use', 'signing|encryption');
    if (use !== 'signing' && use !== 'encryption')
      throw new UsageError(`${command}: --use is signing or encryption`);
    return inOrg(ctx, command, async (saml, org) => {
      const { certificate: _pem, ...key } = await saml.createKey(org.id, use, operatorActor);
      print(
        ctx,
        `published the next ${use} key ${key.id} (${key.fingerprint}) in ${org.slug}'s metadata; once SPs have it: vigil saml keys activate ${key.id} --org ${org.slug}`,
        { key },
      );
      return 0;
    });
  },

  async 'saml keys activate'(ctx) {
    const command = 'saml keys activate';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command, 'key');
    return inOrg(ctx, command, async (saml, org) => {
      const { certificate: _pem, ...key } = await saml.activateKey(org.id, id, operatorActor);
      print(ctx, `the ${key.use} key ${key.id} is active; the one it replaced is retiring`, {
        key,
      });
      return 0;
    });
  },

  async 'saml keys retire'(ctx) {
    const command = 'saml keys retire';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command, 'key');
    return inOrg(ctx, command, async (saml, org) => {
      const { certificate: _pem, ...key } = await saml.retireKey(org.id, id, operatorActor);
      print(ctx, `the ${key.use} key ${key.id} is retired and left the metadata`, { key });
      return 0;
    });
  },

  async 'saml metadata'(ctx) {
    const command = 'saml metadata';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return inOrg(ctx, command, async (saml, org) => {
      const xml = await saml.metadata(org.slug);
      print(ctx, xml, { org: org.slug, metadata: xml });
      return 0;
    });
  },
};
