import { once } from 'node:events';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { exportEvents, sealAll, verifyAuditLog } from '../audit/index.ts';
import {
  ciphertextCounts,
  type JwkSigningAlg,
  masterKeyFromBase64,
  type PlatformKeyPurpose,
} from '../crypto/index.ts';
import {
  isAppError,
  isUuid,
  migrate,
  openDatabase,
  operatorActor,
  platformOrgId,
} from '../platform/index.ts';
import { apiKeyCommands } from './apikey-commands.ts';
import {
  type Command,
  type CommandContext,
  date,
  findOrg,
  iso,
  onlyOptions,
  organizations,
  positional,
  print,
  table,
  text,
  texts,
  UsageError,
  withCore,
} from './command-kit.ts';
import { encryptedColumns, reencryptPending } from './core.ts';
import { startServer } from './server.ts';
import { createServices } from './services.ts';

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

export const commands: Record<string, Command> = {
  ...apiKeyCommands,
  async start(ctx) {
    const server = await startServer(ctx.config, ctx.logger);
    ctx.logger.info(
      { url: server.url, publicUrl: ctx.config.VIGIL_PUBLIC_URL },
      'Vigil is listening',
    );
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      ctx.logger.info({ signal }, 'shutting down');
      await server.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    return -1;
  },

  async migrate(ctx) {
    const database =
      ctx.database ??
      (await openDatabase({
        databaseUrl: ctx.config.DATABASE_URL,
        dataDir: ctx.config.VIGIL_DATA_DIR,
        poolSize: 1,
      }));
    try {
      const applied = await migrate(database);
      print(ctx, applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date', {
        applied,
      });
      return 0;
    } finally {
      await database.close();
    }
  },

  async 'admin bootstrap'(ctx) {
    return withCore(ctx, async (core) => {
      const { bootstrap } = createServices(core);
      const link = await bootstrap.issueLink(operatorActor);
      print(
        ctx,
        `One-time link to create the first platform administrator (earlier links are revoked),\nvalid until ${link.expiresAt.toISOString()}:\n${link.url}`,
        { url: link.url, expiresAt: link.expiresAt },
      );
      return 0;
    });
  },

  async 'keys list'(ctx) {
    return withCore(ctx, async (core) => {
      const { oauth } = createServices(core);
      const signingKeys = await oauth.signingKeys.list();
      const dataKeys = await core.keyring.listDataKeys();
      const platformKeys = await core.keys.list();
      const counts = await ciphertextCounts(core.database, encryptedColumns);
      const rows = [
        ...dataKeys.map((k) => ({
          id: String(k.id),
          purpose: 'data-encryption',
          algorithm: 'AES-256-GCM',
          status: k.status,
          created: k.created_at,
          activated: k.activated_at,
          retired: k.retired_at,
          wrappedBy: `master ${k.master_key_id}`,
          ciphertexts: counts.filter((c) => c.keyId === k.id).reduce((n, c) => n + c.count, 0),
        })),
        ...platformKeys.map((k) => ({
          id: k.id,
          purpose: k.purpose,
          algorithm: k.algorithm,
          status: k.status,
          created: k.created_at,
          activated: k.activated_at,
          retired: k.retired_at,
          wrappedBy: `data key ${k.private_key_enc.split(':')[1]}`,
          ciphertexts: null,
        })),
      ];
      const header = [
        'ID',
        'PURPOSE',
        'ALGORITHM',
        'STATUS',
        'CREATED',
        'ACTIVATED',
        'RETIRED',
        'PROTECTED BY',
        'CIPHERTEXTS',
      ];
      const keysTable = table(
        header,
        rows.map((r) => [
          r.id,
          r.purpose,
          r.algorithm,
          r.status,
          iso(r.created),
          iso(r.activated),
          iso(r.retired),
          r.wrappedBy,
          r.ciphertexts === null ? '-' : String(r.ciphertexts),
        ]),
      );
      const signingTable = signingKeys.length
        ? `OIDC signing keys (published at CREATED, signing from ACTIVATE AT, in JWKS until REMOVE AT):\n${table(
            ['KID', 'ALG', 'STATE', 'CREATED', 'ACTIVATE AT', 'RETIRE AT', 'REMOVE AT'],
            signingKeys.map((k) => [
              k.kid,
              k.alg,
              k.state,
              iso(k.createdAt),
              iso(k.activateAt),
              iso(k.retireAt),
              iso(k.removeAt),
            ]),
          )}`
        : 'OIDC signing keys: none yet (the server makes them at its first start)';
      print(ctx, `master key: ${core.keyring.masterKeyId}\n${keysTable}\n\n${signingTable}`, {
        masterKeyId: core.keyring.masterKeyId,
        keys: rows,
        signingKeys,
      });
      return 0;
    });
  },

  async 'keys rotate'(ctx) {
    const alg = ctx.options.alg;
    if (ctx.options.signing) {
      if (ctx.options.master || ctx.options.platform !== undefined || ctx.options['no-wait'])
        throw new UsageError('--signing does not go with --master, --platform or --no-wait');
      if (alg !== undefined && alg !== 'ES256' && alg !== 'RS256')
        throw new UsageError('--alg must be ES256 or RS256');
      return withCore(ctx, async (core) => {
        const { oauth } = createServices(core);
        const rotated = await oauth.signingKeys.rotate(
          alg as JwkSigningAlg | undefined,
          operatorActor,
        );
        const lines = rotated.flatMap((r) => [
          `new ${r.alg} signing key ${r.kid}: in JWKS now, signs from ${r.activateAt.toISOString()}`,
          ...(r.replaces.length
            ? r.replaces.map(
                (old) =>
                  `  replaces ${old.kid}: stops signing then, stays in JWKS until ${old.removeAt.toISOString()}`,
              )
            : ['  (no key of this algorithm was signing, so it signs at once)']),
        ]);
        lines.push('Running nodes pick up the new keys within a minute.');
        print(ctx, lines.join('\n'), { rotated });
        return 0;
      });
    }
    if (alg !== undefined) throw new UsageError('--alg goes with --signing');
    return withCore(ctx, async (core) => {
      if (ctx.options.master) {
        const file = ctx.options['new-master-key-file'];
        if (typeof file !== 'string')
          throw new UsageError('--master needs --new-master-key-file FILE');
        const next = masterKeyFromBase64(readFileSync(file, 'utf8'), file);
        const count = await core.keyring.rotateMasterKey(next, operatorActor);
        print(
          ctx,
          `re-wrapped ${count} data keys under master key ${next.id}.\nSet VIGIL_MASTER_KEY to the new key and keep the old one in VIGIL_MASTER_KEY_PREVIOUS until every node restarted.`,
          { rewrapped: count, masterKeyId: next.id },
        );
        return 0;
      }
      if (typeof ctx.options.platform === 'string') {
        const purpose = ctx.options.platform;
        if (purpose !== 'audit-mac' && purpose !== 'audit-seal') {
          throw new UsageError('--platform must be audit-mac or audit-seal');
        }
        const id = await core.keys.rotate(purpose as PlatformKeyPurpose, operatorActor);
        print(ctx, `new active ${purpose} key ${id}`, { purpose, id });
        return 0;
      }
      const { keyId, rotationId } = await core.keyring.rotateDataKey(operatorActor);
      if (ctx.options['no-wait']) {
        print(
          ctx,
          `data key ${keyId} is active; running nodes re-encrypt in the background (rotation ${rotationId})`,
          { keyId, rotationId, reencrypted: null },
        );
        return 0;
      }
      const reencrypted = await reencryptPending(core, operatorActor);
      print(
        ctx,
        `data key ${keyId} is active; re-encrypted ${reencrypted} ciphertexts (rotation ${rotationId})`,
        {
          keyId,
          rotationId,
          reencrypted,
        },
      );
      return 0;
    });
  },

  async 'audit verify'(ctx) {
    return withCore(ctx, async (core) => {
      const sealed = await sealAll(core.sealer);
      const started = Date.now();
      const report = await verifyAuditLog({ database: core.database, keys: core.keys });
      const seconds = (Date.now() - started) / 1000;
      const lines = [
        `${report.events} events in ${report.blocks} seal blocks checked in ${seconds.toFixed(1)} s (${sealed} newly sealed, ${report.pending} pending)`,
        ...report.findings.map((f) => `  ${f.kind.toUpperCase()}: ${f.message}`),
        report.ok ? 'audit log intact' : `TAMPERING DETECTED: ${report.findings.length} finding(s)`,
      ];
      print(ctx, lines.join('\n'), { ...report, sealed, seconds });
      return report.ok ? 0 : 1;
    });
  },

  async 'audit export'(ctx) {
    const format = ctx.options.format ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv')
      throw new UsageError('--format must be jsonl or csv');
    const org = ctx.options.org;
    if (org !== undefined && !isUuid(org)) throw new UsageError('--org must be an organization id');
    const from = date(ctx.options.from, 'from');
    const to = date(ctx.options.to, 'to');
    return withCore(ctx, async (core) => {
      const out =
        typeof ctx.options.out === 'string'
          ? createWriteStream(ctx.options.out, { mode: 0o600 })
          : ctx.stdout;
      let count = 0;
      for await (const chunk of exportEvents(core.database, {
        format,
        from,
        to,
        orgId: org as string | undefined,
      })) {
        count += chunk.split('\n').length - 1;
        if (!out.write(chunk)) await once(out, 'drain');
      }
      if (out !== ctx.stdout) {
        out.end();
        await once(out, 'finish');
        ctx.stderr.write(
          `exported ${format === 'csv' ? count - 1 : count} events to ${String(ctx.options.out)}\n`,
        );
      }
      return 0;
    });
  },

  async 'clients create'(ctx) {
    const command = 'clients create';
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
    const input = {
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
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const org = findOrg(await organizations(core, services), text(ctx, 'org'));
      const { client, secret } = await services.oauth.clients
        .createInOrg(org.id, input, operatorActor)
        .catch((err: unknown) => {
          // The service's validation, in the words of the command line.
          if (isAppError(err) && err.code === 'oauth.client_invalid') {
            const [field = '', ...rest] = err.message.split(': ');
            throw new UsageError(`${clientOptionOf[field] ?? field}: ${rest.join(': ')}`);
          }
          throw err;
        });
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

  'access matrix': (ctx) => accessExport(ctx, 'access matrix'),
  'access users': (ctx) => accessExport(ctx, 'access users'),

  async 'clients list'(ctx) {
    const command = 'clients list';
    onlyOptions(ctx, command, ['org']);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const services = createServices(core);
      const orgs = await organizations(core, services);
      const wanted = text(ctx, 'org');
      const org = wanted === undefined ? undefined : findOrg(orgs, wanted);
      const clients = await services.oauth.clients.listInOrg(org?.id);
      const slugOf = (id: string) => orgs.find((o) => o.id === id)?.slug ?? id;
      const rows = clients.map((c) => ({ ...c, orgSlug: slugOf(c.orgId) }));
      print(
        ctx,
        rows.length
          ? table(
              [
                'ID',
                'ORG',
                'NAME',
                'KIND',
                'STATUS',
                'FIRST PARTY',
                'GRANTS',
                'REDIRECT URIS',
                'CREATED',
              ],
              rows.map((c) => [
                c.id,
                c.orgSlug,
                c.name,
                c.kind,
                c.status,
                c.firstParty ? 'yes' : 'no',
                c.grantTypes.join(','),
                c.redirectUris.join(' ') || '-',
                iso(c.createdAt),
              ]),
            )
          : 'no clients',
        { clients: rows },
      );
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

/**
 * The auditor's access exports (docs/access-control.md#exports): the permission matrix or the
 * user-access listing of one organization, as CSV (default) or JSON, to stdout or `--out`.
 */
async function accessExport(
  ctx: CommandContext,
  command: 'access matrix' | 'access users',
): Promise<number> {
  onlyOptions(ctx, command, ['org', 'format', 'out']);
  positional(ctx, command, []);
  const format = text(ctx, 'format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new UsageError('--format must be csv or json');
  if (text(ctx, 'org') === undefined) throw new UsageError(`${command} needs --org SLUG`);
  return withCore(ctx, async (core) => {
    const services = createServices(core);
    const org = findOrg(await organizations(core, services), text(ctx, 'org'));
    const report = command === 'access matrix' ? 'matrix' : 'users';
    const body = await services.accessExports.exportOf(core.database, org, report, format);
    const out = text(ctx, 'out');
    if (out) writeFileSync(out, body, { mode: 0o600 });
    else ctx.stdout.write(body);
    return 0;
  });
}
