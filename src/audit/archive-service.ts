import { join } from 'node:path';
import {
  type AuditActor,
  type Config,
  jobLockKeys,
  type Logger,
  onOneNode,
  repeatEvery,
  systemActor,
  type Tx,
  withPlatform,
} from '../platform/index.ts';
import * as archives from './archive.store.ts';
import { type ArchiverDeps, archivePastHot, ensurePartitions } from './archive.ts';
import type { ArchiveFinding } from './archive-check.ts';
import type { ArchiveManifest } from './archive-format.ts';
import { type Month, parseMonth } from './archive-months.ts';
import {
  type PurgeDeps,
  type PurgeResult,
  purgeArchives,
  restoreMonth,
} from './archive-restore.ts';
import { s3ArchiveStore } from './archive-s3.ts';
import { type ArchiveStore, directoryArchiveStore } from './archive-store.ts';
import type { RetentionPolicy } from './retention.ts';

export type AuditArchive = archives.ArchiveRow;

/** The archive store the configuration names: a directory (default) or an s3:// bucket. */
export function archiveStoreOf(config: Config): ArchiveStore {
  const where = config.VIGIL_AUDIT_ARCHIVE ?? join(config.VIGIL_DATA_DIR, 'audit-archive');
  if (!where.startsWith('s3://')) return directoryArchiveStore(where);
  return s3ArchiveStore({
    url: where,
    region: config.VIGIL_AUDIT_ARCHIVE_S3_REGION,
    endpoint: config.VIGIL_AUDIT_ARCHIVE_S3_ENDPOINT,
    accessKeyId: config.VIGIL_AUDIT_ARCHIVE_S3_ACCESS_KEY_ID,
    secretAccessKey: config.VIGIL_AUDIT_ARCHIVE_S3_SECRET_ACCESS_KEY,
  });
}

export interface ArchiveRound extends PurgeResult {
  /** Months archived (or re-dropped after a restore) and dropped. */
  archived: Month[];
}

export function createAuditArchiver(deps: PurgeDeps) {
  const archiver: ArchiverDeps = deps;
  async function round(actor: AuditActor = systemActor): Promise<ArchiveRound | null> {
    const run = await onOneNode(deps.database, jobLockKeys.auditArchive, async () => {
      const archived = await archivePastHot(archiver, actor);
      return { archived, ...(await purgeArchives(deps, actor)) };
    });
    return run.ran ? run.result : null;
  }
  return {
    store: deps.store,
    /** Month partitions from the current month through three months ahead (at start). */
    ensurePartitions: () => ensurePartitions(archiver),
    /**
     * One round (`vigil audit archive`, and every VIGIL_AUDIT_ARCHIVE_INTERVAL_SECONDS): archive
     * and drop every month past the hot period, then purge what is past retention. Null when
     * another node is running one.
     */
    round,
    restore: (month: string, actor: AuditActor) => restoreMonth(archiver, parseMonth(month), actor),
    async purge(actor: AuditActor): Promise<PurgeResult | null> {
      const run = await onOneNode(deps.database, jobLockKeys.auditArchive, () =>
        purgeArchives(deps, actor),
      );
      return run.ran ? run.result : null;
    },
    /** An organization's retention policy (`vigil audit retention`). */
    retentionOf: (orgId: string) =>
      withPlatform(deps.database, (tx) => deps.retention.policy(tx, orgId)),
    /** Changes some fields of an organization's retention policy (audited). */
    changeRetention: (orgId: string, fields: Partial<RetentionPolicy>, actor: AuditActor) =>
      withPlatform(deps.database, (tx) => deps.retention.change(tx, orgId, fields, actor)),
    /** Every archived month, oldest first; in the caller's (platform) transaction when given. */
    list: (tx?: Tx): Promise<AuditArchive[]> =>
      tx ? archives.archives(tx) : withPlatform(deps.database, (t) => archives.archives(t)),
    /**
     * The live log continues the newest archive's chain: its last block is still in the
     * database with the same chain hash, or the next block links to it.
     */
    async continuesIntoLive(last: ArchiveManifest): Promise<ArchiveFinding[]> {
      const block = last.blocks[last.blocks.length - 1];
      if (!block) return [];
      const [same, next] = await withPlatform(deps.database, (tx) =>
        Promise.all([
          archives.blockByNo(tx, block.blockNo),
          archives.blockByNo(tx, (BigInt(block.blockNo) + 1n).toString()),
        ]),
      );
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
      const sameOk = same && hex(same.chain_hash) === block.chainHash;
      const nextOk = !next || hex(next.prev_hash) === last.lastChainHash;
      if (sameOk && nextOk) return [];
      return [
        {
          month: last.month,
          message: `the live log does not continue the chain of ${last.month} (block ${block.blockNo})`,
        },
      ];
    },
    /** Runs a round every `intervalMs`; `stop()` waits for one in progress. */
    start(intervalMs: number, logger: Logger) {
      return repeatEvery({ name: 'audit archive', intervalMs, run: () => round(), logger });
    },
  };
}

export type AuditArchiver = ReturnType<typeof createAuditArchiver>;
