import {
  type AuditArchiver,
  archiveStoreOf,
  createAuditArchiver,
  createRetentionPolicy,
  type RetentionPolicyService,
} from '../audit/index.ts';
import type { Core } from './core.ts';

/** The audit archiver and retention policy of a Core, as the configuration sets them. */
export function auditArchiverOf(core: Core): {
  archiver: AuditArchiver;
  retention: RetentionPolicyService;
} {
  const retention = createRetentionPolicy({
    audit: core.audit.record,
    clock: core.clock,
    changes: core.changes,
  });
  const archiver = createAuditArchiver({
    database: core.database,
    keys: core.keys,
    clock: core.clock,
    audit: core.audit.record,
    store: archiveStoreOf(core.config),
    sealer: core.sealer,
    hotDays: core.config.VIGIL_AUDIT_HOT_DAYS,
    retentionDays: core.config.VIGIL_AUDIT_RETENTION_DAYS,
    retention,
  });
  return { archiver, retention };
}
