export { type ExportFormat, type ExportOptions, exportEvents, formatEvent } from './export.ts';
export { type AuditEvent, redacted, sanitizeDetails } from './model.ts';
export { sealAll, sealPending, startSealer, type SealerDeps } from './sealer.ts';
export {
  type AuditDeps,
  type AuditLog,
  type AuditPage,
  type AuditQuery,
  createAuditLog,
} from './service.ts';
export { type Finding, type VerifyReport, verifyAuditLog } from './verify.ts';
