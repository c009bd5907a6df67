import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { exportEvents, sealAll, verifyAuditLog } from '../audit/index.ts';
import { ciphertextCounts, masterKeyFromBase64, type PlatformKeyPurpose } from '../crypto/index.ts';
import {
  type Config,
  isUuid,
  type Logger,
  migrate,
  openDatabase,
  operatorActor,
} from '../platform/index.ts';
import { type Core, encryptedColumns, openCore, reencryptPending } from './core.ts';
import { startServer } from './server.ts';
import { createServices } from './services.ts';

export interface CommandContext {
  config: Config;
  logger: Logger;
  options: Record<string, string | boolean | undefined>;
  json: boolean;
}

/** Returns the exit code; -1 means "keep running" (the server). */
type Command = (ctx: CommandContext) => Promise<number>;

/** Bad command-line usage: exit code 2 with the usage text. */
export class UsageError extends Error {}

function print(ctx: CommandContext, human: string, machine: unknown): void {
  process.stdout.write(ctx.json ? `${JSON.stringify(machine, null, 2)}\n` : `${human}\n`);
}

async function withCore<T>(ctx: CommandContext, fn: (core: Core) => Promise<T>): Promise<T> {
  const core = await openCore({ config: ctx.config, logger: ctx.logger });
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

function date(value: string | boolean | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} must be an ISO date or time`);
  return d;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : '-');

export const commands: Record<string, Command> = {
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
    const database = await openDatabase({
      databaseUrl: ctx.config.DATABASE_URL,
      dataDir: ctx.config.VIGIL_DATA_DIR,
      poolSize: 1,
    });
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
      const table = [
        header,
        ...rows.map((r) => [
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
      ];
      const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
      const text = table
        .map((row) =>
          row
            .map((cell, i) => cell.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd(),
        )
        .join('\n');
      print(ctx, `master key: ${core.keyring.masterKeyId}\n${text}`, {
        masterKeyId: core.keyring.masterKeyId,
        keys: rows,
      });
      return 0;
    });
  },

  async 'keys rotate'(ctx) {
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
          : process.stdout;
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
      if (out !== process.stdout) {
        out.end();
        await once(out, 'finish');
        process.stderr.write(
          `exported ${format === 'csv' ? count - 1 : count} events to ${String(ctx.options.out)}\n`,
        );
      }
      return 0;
    });
  },
};
