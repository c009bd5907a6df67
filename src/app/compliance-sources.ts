import type { Alerts, WebhookEndpoints } from '../alerts/index.ts';
import {
  type AuditVerification,
  archivedMonths,
  archiveStoreOf,
  type RetentionPolicyService,
} from '../audit/index.ts';
import type { LockoutService } from '../auth/lockout/index.ts';
import type { MfaService } from '../auth/mfa/index.ts';
import type { PasswordService } from '../auth/password/index.ts';
import type {
  AccessSources,
  AuthenticationSources,
  CheckSources,
  OperationsSources,
} from '../compliance/index.ts';
import type { IdentityService } from '../identity/index.ts';
import type { Lifecycle, LifecyclePolicyService } from '../lifecycle/index.ts';
import type { OAuth } from '../oauth/index.ts';
import { platformOrgId } from '../platform/index.ts';
import type { Rbac } from '../rbac/index.ts';
import type { ReviewPolicyService, Reviews } from '../reviews/index.ts';
import type { SessionService } from '../sessions/index.ts';
import type { TenancyService } from '../tenancy/index.ts';
import { alertCertificates } from './alert-certificates.ts';
import { type Core, encryptedColumns } from './core.ts';

/**
 * The services the compliance checks read (src/compliance/controls/sources.ts), taken from the
 * wired domain services (src/app/services.ts builds compliance last, with everything it needs).
 */
export type ComplianceSourceServices = {
  // access (accessSources)
  rbac: Rbac;
  identity: IdentityService;
  sessions: SessionService;
  lifecycle: Lifecycle;
  lifecyclePolicy: LifecyclePolicyService;
  reviews: Reviews;
  reviewsPolicy: ReviewPolicyService;
  // authentication (authenticationSources; with rbac, identity and sessions above)
  passwords: PasswordService;
  lockout: LockoutService;
  mfa: MfaService;
  oauth: OAuth;
  tenancy: TenancyService;
  // operations (operationsSources; with rbac above)
  auditVerification: AuditVerification;
  auditRetention: RetentionPolicyService;
  alerts: Alerts;
  webhooks: WebhookEndpoints;
};

function authenticationSources(services: ComplianceSourceServices): AuthenticationSources {
  const { passwords, lockout, sessions, mfa, rbac, identity, oauth, tenancy } = services;
  return {
    authentication: {
      passwordPolicy: passwords.policy,
      lockoutPolicy: lockout.policy,
      sessionPolicy: sessions.policy,
      mfaPolicy: mfa.policy,
      usersWithFactor: mfa.usersWithFactor,
      rolesOf: rbac.rolesOf,
      holdersIn: rbac.holdersIn,
      usersOf: identity.listUsers,
      oauthClients: (tx, orgId) => oauth.clients.list(tx, orgId),
      organizationName: async (tx, orgId) =>
        (await tenancy.getOrganization(tx, orgId))?.name ?? orgId,
    },
  };
}

function accessSources(services: ComplianceSourceServices): AccessSources {
  const { rbac, identity, sessions, lifecycle, lifecyclePolicy, reviews, reviewsPolicy } = services;
  return {
    access: {
      rolesOf: rbac.rolesOf,
      holdersIn: rbac.holdersIn,
      conflictRules: rbac.conflictRules,
      conflictViolations: rbac.violations,
      usersOf: identity.listUsers,
      lastSignIns: sessions.lastSignIns,
      lifecyclePolicy: async (tx, orgId) => (await lifecyclePolicy.policy(tx, orgId)).policy,
      reviewPolicy: async (tx, orgId) => (await reviewsPolicy.policy(tx, orgId)).policy,
      reviewCampaigns: (tx, orgId) => reviews.list(tx, orgId),
      deprovisioningReport: lifecycle.deprovisioningReport,
    },
  };
}

function operationsSources(core: Core, services: ComplianceSourceServices): OperationsSources {
  const { auditVerification, auditRetention, alerts, webhooks, rbac } = services;
  // Where the archiver writes: the archive files themselves say which months are archived.
  const archiveStore = archiveStoreOf(core.config);
  return {
    operations: {
      // The platform's own runs: the schedule verifies as the platform organization.
      lastAuditVerification: (tx) => auditVerification.lastRun(tx, platformOrgId),
      auditRetention: async (tx, orgId) => (await auditRetention.policy(tx, orgId)).policy,
      archivedAuditMonths: async () => new Set(await archivedMonths(archiveStore)),
      alertRules: (tx, orgId) => alerts.rules(tx, orgId),
      alertManagers: async (tx, orgId) =>
        [...(await rbac.holdersIn(tx, orgId))]
          .filter(([, roles]) => roles.some((r) => r.permissions.includes('alerts.manage')))
          .map(([userId]) => userId),
      alertWebhooks: (tx, orgId) => webhooks.list(tx, orgId),
      masterKeyId: core.keyring.masterKeyId,
      encryptedColumns,
      servedCertificates: alertCertificates(core.config),
    },
  };
}

export function complianceSources(core: Core, services: ComplianceSourceServices): CheckSources {
  return {
    config: core.config,
    databaseKind: core.database.kind,
    ...authenticationSources(services),
    ...accessSources(services),
    ...operationsSources(core, services),
  };
}
