export { type AccessExports, createAccessExports } from './access-exports.ts';
export { controlById, controls } from './controls/catalog.ts';
export type { AccessSources } from './controls/checks/access.sources.ts';
export type { AuthenticationSources } from './controls/checks/authentication.sources.ts';
export type { OperationsSources } from './controls/checks/operations.sources.ts';
export type {
  CheckContext,
  CheckOutcome,
  Control,
  ControlException,
  ControlScope,
} from './controls/control.ts';
export { type Criterion, criteria } from './controls/criteria.ts';
export { maxPeriodDays, type PosturePoint } from './controls/posture.ts';
export {
  recordResult,
  resultsAt,
  resultsBetween,
  type StoredResult,
} from './controls/results.store.ts';
export {
  type ComplianceRunner,
  complianceActor,
  createComplianceRunner,
  type OrgRunReport,
} from './controls/runner.ts';
export {
  type ComplianceSchedule,
  createComplianceSchedule,
} from './controls/schedule.ts';
export {
  type ComplianceService,
  type ControlsView,
  type ControlView,
  type CurrentResult,
  createComplianceService,
} from './controls/service.ts';
export type { CheckSources } from './controls/sources.ts';
export { toCsv } from './csv.ts';
export { deprovisioningReportCsv, deprovisioningReportCsvHeader } from './deprovisioning-csv.ts';
export { complianceErrors } from './errors.ts';
export {
  type PackControl,
  type PackFileEntry,
  type PackManifest,
  packFormat,
  type SignedPackManifest,
} from './evidence/format.ts';
export { packFiles } from './evidence/layout.ts';
export { maxPackPeriodDays, type PackPeriod, packPeriod } from './evidence/period.ts';
export { readZip, ZipReadError } from './evidence/read-zip.ts';
export {
  createEvidencePacks,
  type EvidencePackDeps,
  type EvidencePacks,
  type PackRequest,
  type PackResult,
  packFileName,
} from './evidence/service.ts';
export { verifyPackFiles } from './evidence/verify-pack.mjs';
export {
  type EvidenceBundle,
  type EvidenceVerification,
  keyFingerprint,
  verifyEvidence,
} from './review-evidence.ts';
export {
  createReviewEvidence,
  evidenceFileName,
  type ReviewEvidence,
  type ReviewEvidenceDeps,
  reviewCsvHeader,
  reviewEvidence,
  reviewRecordCsv,
  reviewRecordJson,
} from './review-export.ts';
