import type { VerificationRun } from '../../../audit/index.ts';
import type { EncryptedColumn } from '../../../crypto/index.ts';
import type { AlertSeverity, Tx } from '../../../platform/index.ts';

/** An alert rule as an organization has set it (the alerts module's settings over the defaults). */
export interface AlertRuleSetting {
  key: string;
  name: string;
  defaultSeverity: AlertSeverity;
  enabled: boolean;
  severity: AlertSeverity;
}

/** What the operations checks (controls/checks/operations.ts) read through other modules' services. */
export interface OperationsReads {
  /** The platform's latest recorded audit verification, in the caller's transaction; null before the first. */
  lastAuditVerification(tx: Tx): Promise<VerificationRun | null>;
  /** The organization's audit retention policy in force. */
  auditRetention(tx: Tx, orgId: string): Promise<{ retentionDays: number; legalHold: boolean }>;
  /**
   * The months ('YYYY-MM') whose archive is in the archive store (a directory or S3 bucket): read
   * there, not in audit_archives, which only the platform scope sees.
   */
  archivedAuditMonths(): Promise<Set<string>>;
  /** Every alert rule with the organization's settings, and the least severity mailed. */
  alertRules(
    tx: Tx,
    orgId: string,
  ): Promise<{ rules: AlertRuleSetting[]; emailMinSeverity: AlertSeverity }>;
  /** The users who hold `alerts.manage` now (they are mailed the alerts). */
  alertManagers(tx: Tx, orgId: string): Promise<string[]>;
  /** The organization's alert webhook endpoints. */
  alertWebhooks(
    tx: Tx,
    orgId: string,
  ): Promise<{ id: string; name: string; enabled: boolean; minSeverity: AlertSeverity }[]>;
  /** The id of the master key that wraps new data keys. */
  masterKeyId: string;
  /** Every column that holds keyring ciphertexts. */
  encryptedColumns: readonly EncryptedColumn[];
  /** The certificates the server serves (none behind a TLS proxy, or before one exists). */
  servedCertificates(): Promise<{ name: string; pem: string | Buffer }[]>;
}

/** The operations checks' reads, under their own key of the check sources. */
export interface OperationsSources {
  operations: OperationsReads;
}
