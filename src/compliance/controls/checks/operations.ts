import { packFiles } from '../../evidence/layout.ts';
import type { CheckContext, CheckOutcome, Control } from '../control.ts';

const pending =
  (id: string) =>
  async (_ctx: CheckContext): Promise<CheckOutcome> => {
    throw new Error(`${id}: check being written`);
  };

/** Audit logging, monitoring, encryption, keys and isolation. */
export const operationsControls: Control[] = [
  {
    id: 'audit-coverage',
    title: 'Comprehensive audit logging',
    description:
      'Every authentication event (sign-in, sign-out, failures), authorization change (roles, approvals) and administrative action (users, policies, keys) writes an audit event in the same transaction as the change.',
    test: 'Every session started in the last 30 days has its sign-in event, and every policy version has its change event.',
    criteria: ['CC7.2', 'CC8.1'],
    scope: 'org',
    evidence: [packFiles.auditCoverage, packFiles.auditSample, packFiles.auditSampleProofs],
    check: pending('audit-coverage'),
  },
  {
    id: 'audit-immutability',
    title: 'Tamper-evident audit log',
    description:
      'The audit log is append-only (database triggers and grants), every event carries a MAC, and events are sealed into a hash chain of blocks signed with the audit seal key. A daily verification finds and names any edit, deletion or insertion.',
    test: 'The last full verification passed and ran within the last 25 hours, and no application role may update, delete or truncate the audit tables.',
    criteria: ['CC6.8', 'CC7.2'],
    scope: 'platform',
    evidence: [packFiles.auditVerify, packFiles.auditSample, packFiles.auditSampleProofs],
    check: pending('audit-immutability'),
  },
  {
    id: 'audit-retention',
    title: 'Audit log retention',
    description:
      'Audit events are kept at least a year: the recent months in the database, older months in signed archives that verify offline; an organization under legal hold keeps everything.',
    test: 'The retention policy keeps at least 365 days, at least 90 days stay in the database, and every month past that is archived.',
    criteria: ['CC7.2'],
    scope: 'org',
    evidence: [packFiles.policy('retention')],
    check: pending('audit-retention'),
  },
  {
    id: 'alerting',
    title: 'Monitoring and alerting',
    description:
      'Detection rules read the audit log and raise alerts on failed sign-in bursts, lockouts, privilege grants, self-approval, new credentials, MFA resets, mass actions, unusual places and failed verifications; alerts reach people by mail and signed webhooks and are triaged in the console.',
    test: 'The high and critical rules are on, someone receives the alerts, and no high or critical alert stayed unacknowledged for more than 24 hours.',
    criteria: ['CC7.2', 'CC7.3'],
    scope: 'org',
    evidence: [packFiles.alerts, packFiles.alertRules, packFiles.policy('alerts')],
    check: pending('alerting'),
  },
  {
    id: 'encryption-at-rest',
    title: 'Encryption at rest',
    description:
      'Every stored secret (TOTP seeds, client and webhook secrets, signing keys) is encrypted with AES-256-GCM under a data key of the keyring, itself wrapped by the master key; passwords, API keys and tokens are stored only as hashes.',
    test: 'The master key is not a development key, and every encrypted value is under a data key of the keyring that is still wrapped by the current master key.',
    criteria: ['CC6.1', 'CC6.7'],
    scope: 'platform',
    evidence: [packFiles.encryption, packFiles.keyInventory],
    check: pending('encryption-at-rest'),
  },
  {
    id: 'encryption-in-transit',
    title: 'Encryption in transit (TLS 1.2+)',
    description:
      'Vigil serves HTTPS only, with TLS 1.2 or 1.3 and modern ciphers (or behind a TLS proxy that does), sends HSTS, and reaches PostgreSQL over TLS unless it is on the same host.',
    test: 'The public URL is HTTPS, the minimum TLS version is 1.2 or higher, the certificate is valid for at least 14 more days, and the database connection is encrypted or local.',
    criteria: ['CC6.1', 'CC6.7'],
    scope: 'platform',
    evidence: [packFiles.tls],
    check: pending('encryption-in-transit'),
  },
  {
    id: 'key-rotation',
    title: 'Key management and rotation',
    description:
      'Data keys, token signing keys and audit keys are rotated on a schedule; old keys stay only to verify or decrypt what they made; every rotation is audited.',
    test: 'The active data key and the active token signing key are younger than their rotation periods.',
    criteria: ['CC6.1'],
    scope: 'platform',
    evidence: [packFiles.keyInventory, packFiles.keyRotations],
    check: pending('key-rotation'),
  },
  {
    id: 'tenant-isolation',
    title: 'Tenant isolation',
    description:
      'Every table that holds an organization’s data has row-level security forced on, and the application’s database roles can see only the organization of the current request; no application role bypasses it.',
    test: 'Row-level security is enabled and forced on every table with an organization column, and no application role is a superuser or bypasses row-level security.',
    criteria: ['CC6.1'],
    scope: 'platform',
    evidence: [packFiles.tenantIsolation],
    check: pending('tenant-isolation'),
  },
];
