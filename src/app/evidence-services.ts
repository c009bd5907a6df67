import { alertPolicySchema, allRules, defaultAlertPolicy, settingsOf } from '../alerts/index.ts';
import type { AuditVerification } from '../audit/index.ts';
import { createEvidencePacks } from '../compliance/index.ts';
import type { Lifecycle } from '../lifecycle/index.ts';
import type { OAuth } from '../oauth/index.ts';
import type { Rbac } from '../rbac/index.ts';
import type { Reviews } from '../reviews/index.ts';
import { type Core, encryptedColumns } from './core.ts';

/**
 * The evidence pack builder (docs/compliance.md#evidence-packs) over the services whose records
 * it exports: roles, access reviews, the deprovisioning report, the audit verification, and the
 * alert rules with an organization's settings.
 */
export function evidencePacksOf(
  core: Core,
  services: {
    rbac: Rbac;
    reviews: Reviews;
    lifecycle: Lifecycle;
    auditVerification: AuditVerification;
    oauth: OAuth;
  },
) {
  const { rbac, reviews, lifecycle } = services;
  return createEvidencePacks({
    database: core.database,
    keys: core.keys,
    clock: core.clock,
    audit: core.audit.record,
    sealer: core.sealer,
    verification: services.auditVerification,
    sampleSize: core.config.VIGIL_EVIDENCE_SAMPLE_SIZE,
    config: core.config,
    encryptedColumns,
    rbac: { rolesOf: rbac.rolesOf, permissions: rbac.permissions },
    reviews: { list: (tx, orgId) => reviews.list(tx, orgId), record: reviews.record },
    oauthClients: (tx, orgId) => services.oauth.clients.list(tx, orgId),
    deprovisioningReport: (tx, orgId, period) => lifecycle.deprovisioningReport(tx, orgId, period),
    alertRules(settings) {
      // A stored version that no longer parses is shown as the defaults it falls back to.
      const parsed = settings === null ? null : alertPolicySchema.safeParse(settings);
      const policy = parsed?.success ? parsed.data : defaultAlertPolicy;
      return allRules().map((rule) => ({
        key: rule.key,
        name: rule.name,
        description: rule.description,
        ...settingsOf(rule, policy),
      }));
    },
  });
}
