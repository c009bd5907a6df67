export {
  type ArchiveFinding,
  checkContinuity,
  checkMonth,
  type MonthCheck,
} from './archive-check.ts';
export { archiveErrors } from './archive-errors.ts';
export {
  type ArchivedBlock,
  type ArchiveManifest,
  archiveNames,
} from './archive-format.ts';
export { monthOf, parseMonth } from './archive-months.ts';
export { archivedMonths, readArchive } from './archive-read.ts';
export type { PurgeResult } from './archive-restore.ts';
export { s3ArchiveStore } from './archive-s3.ts';
export {
  type ArchiveRound,
  type AuditArchive,
  type AuditArchiver,
  archiveStoreOf,
  createAuditArchiver,
} from './archive-service.ts';
export { type ArchiveStore, directoryArchiveStore } from './archive-store.ts';
export { auditErrors } from './errors.ts';
export { type ExportFormat, type ExportOptions, exportEvents, formatEvent } from './export.ts';
export {
  type FeedEvent,
  type FeedPage,
  type FeedPosition,
  feedEnd,
  feedEventsById,
  feedStart,
  isAfter,
  lockFeedCursor,
  readFeed,
  replayRecent,
  saveFeedCursor,
} from './feed.ts';
export { countEventsAfter as countFeedEventsAfter } from './feed-lag.store.ts';
export { type AuditEvent, redacted, sanitizeDetails } from './model.ts';
export { type OcsfEvent, ocsfSeverityOf, ocsfVersion, toOcsf } from './ocsf.ts';
export { ocsfClasses, ocsfMappingOf } from './ocsf-classes.ts';
export {
  createRetentionPolicy,
  defaultRetentionPolicy,
  type RetentionPolicy,
  type RetentionPolicyService,
  retentionFloorDays,
  retentionPolicySchema,
} from './retention.ts';
export {
  type AuditSample,
  auditSampleOf,
  readSample,
  type SampleProofs,
  type SampleRows,
} from './sample-proof.ts';
export { type SealerDeps, sealAll, sealPending, startSealer } from './sealer.ts';
export {
  type AuditDeps,
  type AuditLog,
  type AuditPage,
  type AuditQuery,
  createAuditLog,
} from './service.ts';
export {
  type AuditVerification,
  createAuditVerification,
  type VerificationProblem,
  type VerificationRun,
} from './verification.ts';
export { type Finding, type VerifyReport, verifyAuditLog } from './verify.ts';
