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
export { ocsfClasses, ocsfMappingOf } from './ocsf-classes.ts';
export { type OcsfEvent, ocsfSeverityOf, ocsfVersion, toOcsf } from './ocsf.ts';
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
