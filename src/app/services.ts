import { createApiKeys } from '../apikeys/index.ts';
import { createAuditVerification } from '../audit/index.ts';
import {
  createAccount,
  createBootstrapService,
  createPasswordReset,
  createSignInFlow,
  createSsoPolicy,
} from '../auth/flows/index.ts';
import { createLockoutService } from '../auth/lockout/index.ts';
import { createMfaService, createWebauthn } from '../auth/mfa/index.ts';
import { createPasswordService } from '../auth/password/index.ts';
import { createAccessExports, createReviewEvidence } from '../compliance/index.ts';
import { oauthPages, sessionTokenOf } from '../http/index.ts';
import { createIdentityService, createUserDirectory } from '../identity/index.ts';
import {
  createLifecycle,
  createLifecyclePolicy,
  createLifecycleSchedule,
} from '../lifecycle/index.ts';
import { createOAuth, type OAuth } from '../oauth/index.ts';
import { createMailer, type Mailer, platformOrgId } from '../platform/index.ts';
import { createRbac } from '../rbac/index.ts';
import { createReviewPolicy, createReviewSchedule, createReviews } from '../reviews/index.ts';
import { createGroupRoles, createScim, createScimTokens } from '../scim/index.ts';
import { createSessionService, type SessionService } from '../sessions/index.ts';
import { createTenancyService } from '../tenancy/index.ts';
import { alertServices } from './alert-services.ts';
import { auditArchiverOf } from './audit-archiver.ts';
import { complianceServices } from './compliance-services.ts';
import { baseOf, type Core } from './core.ts';
import { evidencePacksOf } from './evidence-services.ts';
import { federationServices } from './federation-services.ts';
import { samlServices } from './saml-services.ts';
import { siemServices } from './siem-services.ts';
import { ssoDomainsOf } from './sso-domain-services.ts';

/** How long a started sign-in may take between its steps. */
export const signInFlowMinutes = 10;

function mailerOf(core: Core): Mailer {
  return createMailer({
    smtpUrl: core.config.VIGIL_SMTP_URL,
    from: core.config.VIGIL_MAIL_FROM,
    logger: core.logger,
  });
}

/** Tiers 3–4: organizations, users, and the roles they hold. */
function directoryServices(core: Core) {
  const base = baseOf(core);
  const stored = { ...base, database: core.database };
  const identity = createIdentityService(stored);
  const rbac = createRbac({ ...stored, identity, platformOrgId, requestTtlDays: 7 });
  const tenancy = createTenancyService({ ...stored, platformOrgId });
  return { identity, rbac, tenancy };
}

/** Tier 4: how a user proves who they are, and the brakes on guessing. */
function credentialServices(core: Core) {
  const base = baseOf(core);
  const { config } = core;
  const passwords = createPasswordService(base);
  const lockout = createLockoutService({
    ...base,
    database: core.database,
    ipMaxFailures: config.VIGIL_SIGNIN_IP_MAX_FAILURES,
    ipWindowMinutes: config.VIGIL_SIGNIN_IP_WINDOW_MINUTES,
    ipCounter: core.ipCounter,
  });
  const mfa = createMfaService({
    ...base,
    keyring: core.keyring,
    issuer: new URL(config.VIGIL_PUBLIC_URL).hostname,
  });
  const webauthn = createWebauthn({ ...base, publicUrl: config.VIGIL_PUBLIC_URL, rpName: 'Vigil' });
  return { passwords, lockout, mfa, webauthn };
}

type Directory = ReturnType<typeof directoryServices>;
type Credentials = ReturnType<typeof credentialServices>;

/** Tier 6: the flows a person goes through (sign-in, password reset, account, bootstrap). */
function authFlows(
  core: Core,
  deps: Directory & Credentials & { sessions: SessionService; mailer: Mailer },
) {
  const { config } = core;
  const { identity, rbac, tenancy, passwords, lockout, mfa, webauthn, sessions, mailer } = deps;
  const shared = { database: core.database, audit: core.audit, identity, passwords };
  // One instance for sign-in, reset and the policy routes: its cache is what a change clears.
  const ssoPolicy = createSsoPolicy({ ...baseOf(core), database: core.database });
  const signIn = createSignInFlow({
    ...shared,
    directory: createUserDirectory({ ...baseOf(core), database: core.database }),
    tenancy,
    ssoPolicy,
    sessions,
    rbac,
    lockout,
    mfa,
    webauthn,
    clock: core.clock,
    platformOrgId,
    mailer,
    logger: core.logger,
    flowMinutes: signInFlowMinutes,
  });
  const passwordReset = createPasswordReset({
    ...shared,
    ssoPolicy,
    sessions,
    devices: lockout.devices,
    mailer,
    logger: core.logger,
    clock: core.clock,
    publicUrl: config.VIGIL_PUBLIC_URL,
    platformOrgId,
  });
  const account = createAccount({
    ...shared,
    sessions,
    tenancy,
    devices: lockout.devices,
    mfa,
    webauthn,
    mfaRequired: signIn.mfaRequired,
  });
  const bootstrap = createBootstrapService({
    ...shared,
    rbac,
    clock: core.clock,
    publicUrl: config.VIGIL_PUBLIC_URL,
    ttlMinutes: config.VIGIL_BOOTSTRAP_TTL_MINUTES,
    platformOrgId,
  });
  return { signIn, passwordReset, account, bootstrap, ssoPolicy };
}

/** Tier 6: the OpenID provider, its clients and signing keys. */
function oauthService(
  core: Core,
  deps: Pick<Directory, 'identity'> & { sessions: SessionService },
) {
  const { config } = core;
  return createOAuth({
    issuer: config.VIGIL_PUBLIC_URL,
    database: core.database,
    keyring: core.keyring,
    keys: core.keys,
    audit: core.audit,
    changes: core.changes,
    identity: deps.identity,
    sessions: deps.sessions,
    sessionTokenOf: (req) => sessionTokenOf(req.headers),
    clock: core.clock,
    logger: core.logger,
    platformOrgId,
    behindProxy: config.VIGIL_BEHIND_TLS_PROXY,
    allowLoopbackCalls: config.VIGIL_ENV !== 'production',
    refreshReuseGraceSeconds: config.VIGIL_OIDC_REFRESH_REUSE_GRACE_SECONDS,
    clientSecretOverlapHours: config.VIGIL_OIDC_CLIENT_SECRET_OVERLAP_HOURS,
    signingKeyRotationDays: config.VIGIL_OIDC_SIGNING_KEY_ROTATION_DAYS,
    signingKeyPublishAheadSeconds: config.VIGIL_OIDC_SIGNING_KEY_PUBLISH_AHEAD_SECONDS,
    pages: oauthPages,
  });
}

/** The domain services over a core, wired once (server, CLI, tests). */
export function createServices(core: Core, options: { mailer?: Mailer } = {}) {
  const mailer = options.mailer ?? mailerOf(core);
  const directory = directoryServices(core);
  const credentials = credentialServices(core);
  const { identity, rbac } = directory;
  // The provider hears of every ended session (back-channel logout); it is built further down.
  let oauth: OAuth | undefined;
  const sessions = createSessionService({
    ...baseOf(core),
    database: core.database,
    onEnded: async (ended, reason) => oauth?.sessionsEnded(ended, reason),
  });
  const flows = authFlows(core, { ...directory, ...credentials, sessions, mailer });
  oauth = oauthService(core, { identity, sessions });
  // One instance: its cache is what a change on this node invalidates at once.
  const lifecyclePolicy = createLifecyclePolicy(baseOf(core));
  const reviewsPolicy = createReviewPolicy(baseOf(core));
  const apiKeys = createApiKeys({
    ...baseOf(core),
    database: core.database,
    rbac,
    tenancy: directory.tenancy,
    platformOrgId,
  });
  const scimTokens = createScimTokens({
    ...baseOf(core),
    database: core.database,
    tenancy: directory.tenancy,
    platformOrgId,
  });
  const groupRoles = createGroupRoles({
    ...baseOf(core),
    database: core.database,
    rbac,
    platformOrgId,
  });
  const lifecycle = createLifecycle({
    database: core.database,
    clock: core.clock,
    identity,
    tenancy: directory.tenancy,
    passwords: credentials.passwords,
    sessions,
    devices: credentials.lockout.devices,
    apiKeys,
    rbac,
    revokeOAuth: oauth.revokeAllFor,
    onRevokeError: (err, userId) =>
      core.logger.error({ err, userId }, 'revoking OAuth access of a deactivated user failed'),
    restoreDirectoryRoles: (tx, user, actor) =>
      groupRoles.syncUsers(tx, user.orgId, [user.id], actor),
  });
  // Access reviews: a snapshot read through rbac, MFA, sessions, the lifecycle policy and the
  // OAuth provider's grants; what a close takes away goes through rbac's unassign, the API key
  // service and the provider, and ends the user's sessions and tokens.
  const reviews = createReviews({
    clock: core.clock,
    audit: core.audit.record,
    sources: {
      rolesOf: rbac.rolesOf,
      holdersIn: rbac.holdersIn,
      violations: rbac.violations,
      usersWithFactor: credentials.mfa.usersWithFactor,
      lastSignIns: sessions.lastSignIns,
      dormantDays: async (tx, orgId) =>
        (await lifecyclePolicy.policy(tx, orgId)).policy.dormantDays,
      oauthClient: oauth.clients.get,
      clientGrants: oauth.clientGrants,
    },
    revokers: {
      unassignMany: rbac.unassignMany,
      revokeApiKey: apiKeys.revoke,
      revokeClientAccess: oauth.revokeClientAccess,
      signOutUsers: lifecycle.signOutUsers,
    },
  });
  // The SCIM service provider: users from the directory, deactivated through the lifecycle.
  const scim = createScim({
    ...baseOf(core),
    database: core.database,
    directory: createUserDirectory({ ...baseOf(core), database: core.database }),
    lifecycle,
    // A membership change gives the users who moved the roles their groups now map to.
    syncUsers: groupRoles.syncUsers,
  });
  // Started by the server (src/app/server.ts); `vigil lifecycle run` runs one round.
  const lifecycleSchedule = createLifecycleSchedule({
    database: core.database,
    clock: core.clock,
    audit: core.audit.record,
    lifecycle,
    rbac,
    mailer,
    logger: core.logger,
    publicUrl: core.config.VIGIL_PUBLIC_URL,
  });
  // Started by the server (src/app/server.ts); `vigil reviews run` runs one round.
  const reviewSchedule = createReviewSchedule({
    database: core.database,
    clock: core.clock,
    audit: core.audit.record,
    reviews,
    policy: reviewsPolicy,
    holdersIn: rbac.holdersIn,
    mailer,
    logger: core.logger,
    publicUrl: core.config.VIGIL_PUBLIC_URL,
  });
  // A closed campaign's signed bundle, for the admin API and `vigil reviews export`.
  const reviewEvidence = createReviewEvidence({ reviews, keys: core.keys, clock: core.clock });
  const accessExports = createAccessExports({
    database: core.database,
    identity,
    rbac,
    mfa: credentials.mfa,
    sessions,
  });
  const auditVerification = createAuditVerification({ sealer: core.sealer, audit: core.audit });
  // Audit archives and retention (docs/audit.md#retention-and-archives); the server runs rounds.
  const { archiver: auditArchiver, retention: auditRetention } = auditArchiverOf(core);
  const alerting = alertServices(core, { mailer, rbac, auditVerification });
  // The evidence pack of an audit period (docs/compliance.md#evidence-packs).
  const evidencePacks = evidencePacksOf(core, {
    rbac,
    reviews,
    lifecycle,
    auditVerification,
    oauth,
  });
  // Vigil as a SAML identity provider (docs/sso.md#vigil-as-a-saml-identity-provider); its keys
  // also sign the requests and open the assertions of upstream SAML federation.
  const saml = samlServices(core, { ...directory, sessions });
  const domain = {
    ...directory,
    ...credentials,
    ...flows,
    ...siemServices(core),
    // Upstream SAML and OIDC federation (docs/sso.md#connecting-your-identity-provider).
    ...federationServices(core, { signIn: flows.signIn, samlKeys: saml.keys }),
    // Claimed email domains and home-realm discovery (docs/sso.md#home-realm-discovery-and-domains).
    ssoDomains: ssoDomainsOf(core),
    apiKeys,
    scimTokens,
    groupRoles,
    accessExports,
    auditVerification,
    auditArchiver,
    auditRetention,
    ...alerting,
    lifecycle,
    lifecyclePolicy,
    lifecycleSchedule,
    reviews,
    reviewEvidence,
    evidencePacks,
    reviewsPolicy,
    reviewSchedule,
    scim,
    oauth,
    saml,
    sessions,
    mailer,
  };
  // The live control checks read the other services, so they are built last.
  return { ...domain, compliance: complianceServices(core, domain) };
}

export type Services = ReturnType<typeof createServices>;
