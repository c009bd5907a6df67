import { webhookSecretColumn } from '../alerts/index.ts';
import { type AuditLog, createAuditLog, type SealerDeps, sealAll } from '../audit/index.ts';
import { mfaSecretColumn } from '../auth/mfa/index.ts';
import {
  createPlatformKeys,
  type EncryptedColumn,
  type Keyring,
  loadMasterKeys,
  openKeyring,
  type PlatformKeys,
  platformKeysColumn,
  resumeReencryption,
} from '../crypto/index.ts';
import { ssoClientSecretColumn, ssoRequestSecretColumn } from '../federation/index.ts';
import {
  clientSecretColumn,
  previousClientSecretColumn,
  signingKeyColumn,
} from '../oauth/index.ts';
import {
  type AuditActor,
  type ChangeFeed,
  type Clock,
  type Config,
  createRedisCounter,
  type Database,
  type Logger,
  migrate,
  openChangeFeed,
  openDatabase,
  platformOrgId,
  systemActor,
  systemClock,
  type WindowCounter,
} from '../platform/index.ts';
import { samlKeyColumn } from '../saml/index.ts';
import { siemSecretColumn } from '../siem/index.ts';

/** Every column that holds keyring ciphertexts; the data-key rotation re-encrypts these. */
export const encryptedColumns: EncryptedColumn[] = [
  platformKeysColumn,
  mfaSecretColumn,
  clientSecretColumn,
  previousClientSecretColumn,
  signingKeyColumn,
  siemSecretColumn,
  webhookSecretColumn,
  ssoClientSecretColumn,
  ssoRequestSecretColumn,
  samlKeyColumn,
];

/** The storage, keys and audit log every entry point (server, CLI, tests) builds on. */
export interface Core {
  config: Config;
  logger: Logger;
  clock: Clock;
  database: Database;
  keyring: Keyring;
  keys: PlatformKeys;
  audit: AuditLog;
  sealer: SealerDeps;
  /** Tells every node what changed that it may hold in memory (src/platform/db/notify.ts). */
  changes: ChangeFeed;
  /** Redis-held counters, when VIGIL_REDIS_URL is set. */
  ipCounter?: WindowCounter;
  close(): Promise<void>;
}

export interface CoreOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** An already open database (tests); otherwise opened from the config. */
  database?: Database;
  /** Apply pending migrations first (the server does; most CLI commands do too). */
  migrate?: boolean;
}

export async function openCore(options: CoreOptions): Promise<Core> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const ownsDatabase = options.database === undefined;
  let changes: ChangeFeed | undefined;
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.VIGIL_DATA_DIR,
      poolSize: config.VIGIL_DB_POOL_SIZE,
    }));
  try {
    if (options.migrate ?? true) {
      const applied = await migrate(database);
      if (applied.length > 0) logger.info({ applied }, 'database migrations applied');
    }
    const masterKeys = loadMasterKeys(config);
    // The audit log MACs with a platform key that the keyring decrypts, and the keyring audits
    // its rotations: the writer is bound once both exist.
    let audit: AuditLog | undefined;
    const writeAudit: Parameters<typeof openKeyring>[0]['audit'] = (tx, event) => {
      if (!audit) throw new Error('audit log not ready');
      return audit.record(tx, event);
    };
    const keyring = await openKeyring({
      database,
      masterKeys,
      audit: writeAudit,
      clock,
      platformOrgId,
    });
    const keys = createPlatformKeys({ database, keyring, audit: writeAudit, clock, platformOrgId });
    audit = createAuditLog({ keys, clock, database });
    await keys.initialize(systemActor);
    changes = await openChangeFeed(database, logger);
    const ipCounter = config.VIGIL_REDIS_URL
      ? await createRedisCounter(config.VIGIL_REDIS_URL)
      : undefined;
    const sealer: SealerDeps = {
      database,
      keys,
      clock,
      blockSize: config.VIGIL_AUDIT_BLOCK_SIZE,
    };
    return {
      config,
      logger,
      clock,
      database,
      keyring,
      keys,
      audit,
      sealer,
      changes,
      ipCounter,
      async close() {
        await sealAll(sealer).catch((err: unknown) =>
          logger.error({ err }, 'final audit sealing failed; the next start seals the rest'),
        );
        await ipCounter?.close().catch(() => undefined);
        await changes?.close();
        await database.close();
      },
    };
  } catch (err) {
    await changes?.close().catch(() => undefined);
    if (ownsDatabase) await database.close().catch(() => undefined);
    throw err;
  }
}

/** Finishes any data-key rotation whose re-encryption has not completed (resumes after a crash). */
export function reencryptPending(core: Core, actor: AuditActor): Promise<number> {
  return resumeReencryption(
    {
      database: core.database,
      keyring: core.keyring,
      audit: core.audit.record,
      clock: core.clock,
      platformOrgId,
      columns: encryptedColumns,
    },
    actor,
  );
}

/**
 * What most services record audit events with, read the time from, and hear other nodes'
 * changes through (their policies).
 */
export const baseOf = (core: Core) => ({
  audit: core.audit.record,
  clock: core.clock,
  changes: core.changes,
});
