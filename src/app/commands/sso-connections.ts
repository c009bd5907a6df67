import { readFileSync } from 'node:fs';
import type {
  ConnectionInput,
  ConnectionUpdate,
  SsoConnectionView,
} from '../../federation/index.ts';
import { isUuid, operatorActor } from '../../platform/index.ts';
import { createServices, type Services } from '../services.ts';
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
  tableOr,
  text,
  texts,
  UsageError,
  withCore,
} from './kit.ts';

/** The service's validation, in the words of the command line. */
const invalid = asUsage(['sso.connection_invalid'], {
  name: '--name',
  protocol: '--protocol',
  provisioning: '--provisioning',
  'saml.idpEntityId': '--idp-entity-id',
  'saml.idpSsoUrl': '--idp-sso-url',
  'saml.idpSloUrl': '--idp-slo-url',
  'saml.metadataUrl': '--metadata-url',
  'saml.certificates': '--certificate-file',
  'oidc.issuer': '--issuer',
  'oidc.clientId': '--client-id',
  'oidc.scopes': '--scopes',
  attributeMapping: '--email-attribute/--name-attribute/--mfa-value',
});

/** The settings options `add` and `update` share. */
const settingOptions = [
  'org',
  'name',
  'provisioning',
  'metadata-file',
  'metadata-url',
  'idp-entity-id',
  'idp-sso-url',
  'idp-slo-url',
  'certificate-file',
  'issuer',
  'client-id',
  'client-secret-file',
  'scopes',
  'email-attribute',
  'name-attribute',
  'mfa-value',
];

function readFile(option: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--${option}: cannot read ${file} (${(err as NodeJS.ErrnoException).code})`,
    );
  }
}

/** The SAML part of the settings, when any SAML option is given. */
function samlOf(ctx: CommandContext) {
  const metadataFile = text(ctx, 'metadata-file');
  const certificates = texts(ctx, 'certificate-file').map((f) => readFile('certificate-file', f));
  const saml = {
    metadataXml: metadataFile === undefined ? undefined : readFile('metadata-file', metadataFile),
    metadataUrl: text(ctx, 'metadata-url'),
    idpEntityId: text(ctx, 'idp-entity-id'),
    idpSsoUrl: text(ctx, 'idp-sso-url'),
    idpSloUrl: text(ctx, 'idp-slo-url'),
    certificates: certificates.length > 0 ? certificates : undefined,
  };
  return Object.values(saml).some((v) => v !== undefined) ? saml : undefined;
}

/** The OIDC part of the settings, when any OIDC option is given. */
function oidcOf(ctx: CommandContext) {
  const secretFile = text(ctx, 'client-secret-file');
  const scopes = text(ctx, 'scopes');
  const oidc = {
    issuer: text(ctx, 'issuer'),
    clientId: text(ctx, 'client-id'),
    // Read from a file: a secret on the command line would stay in the shell's history.
    clientSecret:
      secretFile === undefined ? undefined : readFile('client-secret-file', secretFile).trim(),
    scopes: scopes === undefined ? undefined : scopes.split(/[\s,]+/).filter(Boolean),
  };
  return Object.values(oidc).some((v) => v !== undefined) ? oidc : undefined;
}

function mappingOf(ctx: CommandContext) {
  const mapping = {
    email: text(ctx, 'email-attribute'),
    displayName: text(ctx, 'name-attribute'),
    mfaValues: texts(ctx, 'mfa-value').length > 0 ? texts(ctx, 'mfa-value') : undefined,
  };
  return Object.values(mapping).some((v) => v !== undefined) ? mapping : undefined;
}

function idOf(ctx: CommandContext, command: string): string {
  const [id = ''] = positional(ctx, command, ['id']);
  if (!isUuid(id)) throw new UsageError(`${command}: ${id} is not a connection id`);
  return id;
}

function withOrgServices<T>(
  ctx: CommandContext,
  command: string,
  work: (services: Services, org: { id: string; slug: string }) => Promise<T>,
): Promise<T> {
  const slug = required(ctx, command, 'org', 'SLUG');
  return withCore(ctx, async (core) => {
    const services = createServices(core);
    return work(services, findOrg(await services.tenancy.organizations(), slug));
  });
}

/** A connection in a few lines: what it is, where it points, what to register Vigil as. */
function describe(c: SsoConnectionView): string {
  const lines = [
    `${c.protocol.toUpperCase()} connection ${c.id} "${c.name}" (${c.enabled ? 'enabled' : 'disabled'}, ${c.provisioning === 'jit' ? 'just-in-time provisioning' : 'existing users only'})`,
  ];
  if (c.saml) {
    lines.push(
      `  IdP entity ID:   ${c.saml.idpEntityId}`,
      `  IdP sign-in URL: ${c.saml.idpSsoUrl}`,
    );
    if (c.saml.metadataUrl) lines.push(`  metadata URL:    ${c.saml.metadataUrl}`);
  }
  if (c.oidc)
    lines.push(
      `  issuer:          ${c.oidc.issuer}`,
      `  client ID:       ${c.oidc.clientId} (${c.oidc.hasClientSecret ? 'with a secret' : 'public, PKCE'})`,
      `  scopes:          ${c.oidc.scopes.join(' ')}`,
    );
  const sp = c.serviceProvider;
  if ('acsUrl' in sp)
    lines.push(
      `  register Vigil:  entity ID ${sp.entityId}`,
      `                   ACS (HTTP-POST) ${sp.acsUrl}`,
      `                   metadata ${sp.metadataUrl}`,
    );
  else lines.push(`  register Vigil:  redirect URI ${sp.redirectUri}`);
  for (const cert of c.certificates)
    lines.push(
      `  certificate ${cert.id}: ${cert.subject}, until ${iso(cert.notAfter)}, ${cert.fingerprint}`,
    );
  return lines.join('\n');
}

/**
 * An organization's own identity providers from the command line (docs/sso.md#connecting-your-identity-provider): the admin
 * API's operations on SSO connections, under the operator's name.
 */
export const ssoConnectionCommands: Record<string, Command> = {
  async 'sso connections list'(ctx) {
    const command = 'sso connections list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return withOrgServices(ctx, command, async (services, org) => {
      const items = await services.federation.inOrg.list(org.id);
      const rows = items.map((c) => [
        c.id,
        c.name,
        c.protocol,
        c.enabled ? 'yes' : 'no',
        c.provisioning,
        c.saml?.idpEntityId ?? c.oidc?.issuer ?? '',
        String(c.certificates.length),
      ]);
      const header = ['ID', 'NAME', 'PROTOCOL', 'ENABLED', 'PROVISIONING', 'IDP', 'CERTS'];
      print(ctx, tableOr(header, rows, `no SSO connections in ${org.slug}`), { items });
      return 0;
    });
  },

  async 'sso connections show'(ctx) {
    const command = 'sso connections show';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command);
    return withOrgServices(ctx, command, async (services, org) => {
      const connection = await services.federation.inOrg.get(org.id, id);
      print(ctx, describe(connection), connection);
      return 0;
    });
  },

  async 'sso connections add'(ctx) {
    const command = 'sso connections add';
    onlyOptions(ctx, command, [...settingOptions, 'protocol', 'disable']);
    positional(ctx, command, []);
    const input: ConnectionInput = {
      name: required(ctx, command, 'name', 'NAME'),
      protocol: required(ctx, command, 'protocol', 'saml|oidc') as 'saml' | 'oidc',
      provisioning: text(ctx, 'provisioning') as 'jit' | 'match' | undefined,
      enabled: ctx.options.disable === true ? false : undefined,
      attributeMapping: mappingOf(ctx),
      saml: samlOf(ctx),
      oidc: oidcOf(ctx) as ConnectionInput['oidc'],
    };
    return withOrgServices(ctx, command, async (services, org) => {
      const connection = await services.federation.inOrg
        .create(org.id, input, operatorActor)
        .catch(invalid);
      print(ctx, `added ${describe(connection)}`, connection);
      return 0;
    });
  },

  async 'sso connections update'(ctx) {
    const command = 'sso connections update';
    onlyOptions(ctx, command, [...settingOptions, 'enable', 'disable']);
    const id = idOf(ctx, command);
    if (ctx.options.enable === true && ctx.options.disable === true)
      throw new UsageError(`${command}: --enable or --disable, not both`);
    const change: ConnectionUpdate = {
      name: text(ctx, 'name'),
      provisioning: text(ctx, 'provisioning') as 'jit' | 'match' | undefined,
      enabled:
        ctx.options.enable === true ? true : ctx.options.disable === true ? false : undefined,
      attributeMapping: mappingOf(ctx),
      saml: samlOf(ctx),
      oidc: oidcOf(ctx),
    };
    const given = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
    return withOrgServices(ctx, command, async (services, org) => {
      const connection = await services.federation.inOrg
        .update(org.id, id, given, operatorActor)
        .catch(invalid);
      print(ctx, `updated ${describe(connection)}`, connection);
      return 0;
    });
  },

  async 'sso connections delete'(ctx) {
    const command = 'sso connections delete';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command);
    return withOrgServices(ctx, command, async (services, org) => {
      await services.federation.inOrg.remove(org.id, id, operatorActor);
      print(ctx, `SSO connection ${id} deleted`, { id, deleted: true });
      return 0;
    });
  },

  async 'sso connections add-certificate'(ctx) {
    const command = 'sso connections add-certificate';
    onlyOptions(ctx, command, ['org', 'certificate-file']);
    const id = idOf(ctx, command);
    const [file, ...more] = texts(ctx, 'certificate-file');
    if (file === undefined || more.length > 0)
      throw new UsageError(`${command} needs one --certificate-file PEM`);
    const pem = readFile('certificate-file', file);
    return withOrgServices(ctx, command, async (services, org) => {
      const connection = await services.federation.inOrg.addCertificate(
        org.id,
        id,
        pem,
        operatorActor,
      );
      print(ctx, `certificate added: ${describe(connection)}`, connection);
      return 0;
    });
  },

  async 'sso connections remove-certificate'(ctx) {
    const command = 'sso connections remove-certificate';
    onlyOptions(ctx, command, ['org', 'certificate']);
    const id = idOf(ctx, command);
    const certificateId = required(ctx, command, 'certificate', 'CERTIFICATE-ID');
    if (!isUuid(certificateId))
      throw new UsageError(`--certificate: ${certificateId} is not a certificate id`);
    return withOrgServices(ctx, command, async (services, org) => {
      const connection = await services.federation.inOrg.removeCertificate(
        org.id,
        id,
        certificateId,
        operatorActor,
      );
      print(ctx, `certificate removed: ${describe(connection)}`, connection);
      return 0;
    });
  },

  async 'sso connections refresh-metadata'(ctx) {
    const command = 'sso connections refresh-metadata';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command);
    return withOrgServices(ctx, command, async (services, org) => {
      const connection = await services.federation.inOrg.refreshMetadata(org.id, id, operatorActor);
      print(ctx, `metadata read again: ${describe(connection)}`, connection);
      return 0;
    });
  },
};
