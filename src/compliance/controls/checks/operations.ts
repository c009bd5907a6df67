import { packFiles } from '../../evidence/layout.ts';
import type { Control } from '../control.ts';
import { checkAlerting } from './operations-alerting.ts';
import {
  checkAuditCoverage,
  checkAuditImmutability,
  checkAuditRetention,
} from './operations-audit.ts';
import { checkEncryptionAtRest, checkEncryptionInTransit } from './platform-encryption.ts';
import { checkTenantIsolation } from './platform-isolation.ts';
import { checkKeyRotation } from './platform-keys.ts';

/** Audit logging, monitoring, encryption, keys and isolation. */
export const operationsControls: Control[] = [
  {
    id: 'audit-coverage',
    title: 'Comprehensive audit logging',
    description:
      'Every authentication event (sign-in, sign-out, failures), authorization change (roles, approvals) and administrative action (users, policies, keys) writes an audit event in the same transaction as the change.',
    test: 'Every session started in the last 30 days has its sign-in event (session.created), and every policy version made in the last 30 days has its change event (policy.<kind>.changed).',
    criteria: ['CC7.2', 'CC8.1'],
    scope: 'org',
    evidence: [packFiles.auditCoverage, packFiles.auditSample, packFiles.auditSampleProofs],
    check: checkAuditCoverage,
  },
  {
    id: 'audit-immutability',
    title: 'Tamper-evident audit log',
    description:
      'The audit log is append-only (database triggers and grants), every event carries a MAC, and events are sealed into a hash chain of blocks signed with the audit seal key. A daily verification finds and names any edit, deletion or insertion.',
    test: 'The last full verification of the audit log passed and ran within the last 25 hours; no application role may update, delete or truncate the audit tables (audit_events, its monthly partitions, audit_seal_blocks), and each has its enabled triggers refusing updates, deletes and truncation.',
    criteria: ['CC6.8', 'CC7.2'],
    scope: 'platform',
    evidence: [packFiles.auditVerify, packFiles.auditSample, packFiles.auditSampleProofs],
    check: checkAuditImmutability,
  },
  {
    id: 'audit-retention',
    title: 'Audit log retention',
    description:
      'Audit events are kept at least a year: the recent months in the database, older months in signed archives that verify offline; an organization under legal hold keeps everything.',
    test: 'The retention policy and VIGIL_AUDIT_RETENTION_DAYS keep at least 365 days, VIGIL_AUDIT_HOT_DAYS keeps at least 90 days in the database, and every month of the organization’s events entirely past the hot period (by more than a day) is archived.',
    criteria: ['CC7.2'],
    scope: 'org',
    evidence: [packFiles.policy('retention')],
    check: checkAuditRetention,
  },
  {
    id: 'alerting',
    title: 'Monitoring and alerting',
    description:
      'Detection rules read the audit log and raise alerts on failed sign-in bursts, lockouts, privilege grants, self-approval, new credentials, MFA resets, mass actions, unusual places and failed verifications; alerts reach people by mail and signed webhooks and are triaged in the console.',
    test: 'Every rule that is high or critical by default is on and not lowered below high; someone receives high alerts (holders of alerts.manage while the policy mails high alerts, or an enabled webhook endpoint that takes them); no high or critical alert is open unacknowledged for more than 24 hours, and none raised in the last 30 days waited longer than that to be acknowledged.',
    criteria: ['CC7.2', 'CC7.3'],
    scope: 'org',
    evidence: [packFiles.alerts, packFiles.alertRules, packFiles.policy('alerts')],
    check: checkAlerting,
  },
  {
    id: 'encryption-at-rest',
    title: 'Encryption at rest',
    description:
      'Every stored secret (TOTP seeds, client and webhook secrets, signing keys) is encrypted with AES-256-GCM under a data key of the keyring, itself wrapped by the master key; passwords, API keys and tokens are stored only as hashes.',
    test: 'The master key is configured (not a development key generated into the data directory), the keyring has an active data key, every data key is wrapped by the current master key, and every encrypted value names a data key of the keyring.',
    criteria: ['CC6.1', 'CC6.7'],
    scope: 'platform',
    evidence: [packFiles.encryption, packFiles.keyInventory],
    check: checkEncryptionAtRest,
  },
  {
    id: 'encryption-in-transit',
    title: 'Encryption in transit (TLS 1.2+)',
    description:
      'Vigil serves HTTPS only, with TLS 1.2 or 1.3 and modern ciphers (or behind a TLS proxy that does), sends HSTS, and reaches PostgreSQL over TLS unless it is on the same host.',
    test: 'The public URL is HTTPS, the minimum TLS version is 1.2 or higher, every served certificate is valid for at least 14 more days (unless a TLS proxy serves it), and the database connection is encrypted or local (embedded PGlite, a Unix socket or loopback).',
    criteria: ['CC6.1', 'CC6.7'],
    scope: 'platform',
    evidence: [packFiles.tls],
    check: checkEncryptionInTransit,
  },
  {
    id: 'key-rotation',
    title: 'Key management and rotation',
    description:
      'Data keys, token signing keys and audit keys are rotated on a schedule; old keys stay only to verify or decrypt what they made; every rotation is audited.',
    test: 'The active data key is at most 365 days old, every data-key rotation finished re-encrypting within a day, and each algorithm’s active token signing key at most VIGIL_OIDC_SIGNING_KEY_ROTATION_DAYS old.',
    criteria: ['CC6.1'],
    scope: 'platform',
    evidence: [packFiles.keyInventory, packFiles.keyRotations],
    check: checkKeyRotation,
  },
  {
    id: 'tenant-isolation',
    title: 'Tenant isolation',
    description:
      'Every table that holds an organization’s data has row-level security forced on, and the application’s database roles can see only the organization of the current request; no application role bypasses it.',
    test: 'Row-level security is enabled and forced on every table with an org_id column (and on each such partition the application roles can reach directly), and neither application role (vigil_app, vigil_platform) is a superuser or bypasses row-level security.',
    criteria: ['CC6.1'],
    scope: 'platform',
    evidence: [packFiles.tenantIsolation],
    check: checkTenantIsolation,
  },
];
