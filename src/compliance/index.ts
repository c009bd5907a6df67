export { type AccessExports, createAccessExports } from './access-exports.ts';
export { toCsv } from './csv.ts';
export { deprovisioningReportCsv, deprovisioningReportCsvHeader } from './deprovisioning-csv.ts';
export { complianceErrors } from './errors.ts';
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
