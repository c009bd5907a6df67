/**
 * The files of an evidence pack (docs/compliance.md#evidence-packs), by what they hold. Controls
 * name the files that prove them (controls/*.ts `evidence`); the builder writes them; the manifest
 * lists every one with its SHA-256.
 */
export const packFiles = {
  readme: 'README.txt',
  /** The standalone verifier: plain Node.js, no Vigil install (`node verify.mjs` in the unzipped pack). */
  verifier: 'verify.mjs',
  /** `{ manifest, signature }`: every other file's size and SHA-256, signed with the audit seal key. */
  manifest: 'manifest.json',
  summaryHtml: 'summary.html',
  summaryPdf: 'summary.pdf',
  /** Every control: its result at the period's end and every result it had during the period. */
  controlResults: 'controls/results.json',
  /** A policy kind's version in force at the period's end and every version made in the period. */
  policy: (kind: PolicyFileKind) => `policies/${kind}.json`,
  permissionMatrix: 'access/permission-matrix.json',
  /** Users, status, roles, MFA and last sign-in as they were at the period's end. */
  userAccess: 'access/user-access.csv',
  conflictRules: 'access/conflict-rules.json',
  /** The OAuth clients as stored at export: grants, redirect and logout URIs (no secrets). */
  oauthClients: 'access/oauth-clients.json',
  mfaEnrollment: 'mfa/enrollment.csv',
  mfaSummary: 'mfa/summary.json',
  reviewCampaigns: 'reviews/campaigns.json',
  reviewItems: 'reviews/items.csv',
  deprovisioningLog: 'deprovisioning/log.csv',
  deprovisioningSla: 'deprovisioning/sla.json',
  alerts: 'alerts/alerts.csv',
  alertRules: 'alerts/rules.json',
  keyInventory: 'keys/inventory.json',
  keyRotations: 'keys/rotations.json',
  tls: 'platform/tls.json',
  encryption: 'platform/encryption.json',
  tenantIsolation: 'platform/tenant-isolation.json',
  /** Random events of the period, one per line in the audit archive's form (with their MAC). */
  auditSample: 'audit/sample.jsonl',
  /** The seal blocks that hold the sampled events, the other MACs they need, and their keys. */
  auditSampleProofs: 'audit/sample-proofs.json',
  /** The result of a full `audit verify` run for the pack. */
  auditVerify: 'audit/verify.json',
  /** Events of the period by action and outcome. */
  auditCoverage: 'audit/coverage.json',
} as const;

/** The policy kinds whose versions a pack carries, in the order it writes them. */
export const policyFileKinds = [
  'password',
  'lockout',
  'session',
  'mfa',
  'lifecycle',
  'reviews',
  'alerts',
  'retention',
] as const;

export type PolicyFileKind = (typeof policyFileKinds)[number];
