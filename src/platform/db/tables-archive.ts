import type { ColumnType } from 'kysely';

/**
 * Row type of audit_archives (migration 0023, docs/audit.md#retention-and-archives): one row per
 * archived month. Kept apart from tables.ts only for its size; the same rules hold.
 */
type Timestamp = ColumnType<Date, Date, Date>;
/** A nullable column an insert may leave out. */
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;

export type AuditArchiveStatus = 'archived' | 'dropped' | 'restored' | 'purged';

export interface AuditArchivesTable {
  /** The first day of the month (UTC). */
  month: ColumnType<Date, string, string>;
  status: AuditArchiveStatus;
  /** Where the archive's files are (a directory or `s3://bucket/prefix`) and their base name. */
  location: string;
  /** SHA-256 (hex) of the compressed events file. */
  sha256: string;
  /** SHA-256 (hex) of the signed manifest file. */
  manifest_sha256: string;
  event_count: number;
  org_ids: string[];
  /** Events per organization, in the order of org_ids. */
  org_event_counts: number[];
  first_block: Optional<string>;
  last_block: Optional<string>;
  /** The chain hash of the month's last seal block: the anchor of the next month once purged. */
  last_chain_hash: Optional<Uint8Array>;
  archived_at: Timestamp;
  dropped_at: Optional<Date>;
  restored_at: Optional<Date>;
  purged_at: Optional<Date>;
}
