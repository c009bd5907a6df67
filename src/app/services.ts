import { createApiKeys } from '../apikeys/index.ts';
import {
  createAccount,
  createBootstrapService,
  createPasswordReset,
  createSignInFlow,
} from '../auth/flows/index.ts';
import { createLockoutService } from '../auth/lockout/index.ts';
import { createMfaService, createWebauthn } from '../auth/mfa/index.ts';
import { createPasswordService } from '../auth/password/index.ts';
import { createAccessExports } from '../compliance/index.ts';
import { oauthPages, sessionTokenOf } from '../http/index.ts';
import { createIdentityService } from '../identity/index.ts';
import { createLifecycle } from '../lifecycle/index.ts';
import { createOAuth, type OAuth } from '../oauth/index.ts';
import { createMailer, type Mailer, platformOrgId } from '../platform/index.ts';
import { createRbac } from '../rbac/index.ts';
import { createSessionService } from '../sessions/index.ts';
import { createTenancyService } from '../tenancy/index.ts';
import type { Core } from './core.ts';

/** How long a started sign-in may take between its steps. */
export const signInFlowMinutes = 10;

/** The domain services over a core, wired once (server, CLI, tests). */
export function createServices(core: Core, options: { mailer?: Mailer } = {}) {
  const base = { audit: core.audit.record, clock: core.clock };
  const mailer =
    options.mailer ??
    createMailer({
      smtpUrl: core.config.VIGIL_SMTP_URL,
      from: core.config.VIGIL_MAIL_FROM,
      logger: core.logger,
    });
  const identity = createIdentityService(base);
  const rbac = createRbac({
    ...base,
    identity,
    platformOrgId,
    requestTtlDays: 7,
  });
  const tenancy = createTenancyService({ ...base, platformOrgId });
  const passwords = createPasswordService(base);
  const lockout = createLockoutService({
    ...base,
    database: core.database,
    ipMaxFailures: core.config.VIGIL_SIGNIN_IP_MAX_FAILURES,
    ipWindowMinutes: core.config.VIGIL_SIGNIN_IP_WINDOW_MINUTES,
    ipCounter: core.ipCounter,
  });
  const mfa = createMfaService({
    ...base,
    keyring: core.keyring,
    issuer: new URL(core.config.VIGIL_PUBLIC_URL).hostname,
  });
  // The provider hears of every ended session (back-channel logout); it is built further down.
  let oauth: OAuth | undefined;
  const sessions = createSessionService({
    ...base,
    database: core.database,
    onEnded: async (ended, reason) => oauth?.sessionsEnded(ended, reason),
  });
  const webauthn = createWebauthn({
    ...base,
    publicUrl: core.config.VIGIL_PUBLIC_URL,
    rpName: 'Vigil',
  });
  const signIn = createSignInFlow({
    database: core.database,
    audit: core.audit,
    identity,
    rbac,
    passwords,
    lockout,
    mfa,
    webauthn,
    sessions,
    clock: core.clock,
    platformOrgId,
    mailer,
    logger: core.logger,
    flowMinutes: signInFlowMinutes,
  });
  const passwordReset = createPasswordReset({
    database: core.database,
    audit: core.audit,
    identity,
    passwords,
    sessions,
    devices: lockout.devices,
    mailer,
    logger: core.logger,
    clock: core.clock,
    publicUrl: core.config.VIGIL_PUBLIC_URL,
    platformOrgId,
  });
  const account = createAccount({
    database: core.database,
    audit: core.audit,
    identity,
    tenancy,
    sessions,
    devices: lockout.devices,
    mfa,
    webauthn,
    passwords,
    mfaRequired: signIn.mfaRequired,
  });
  const bootstrap = createBootstrapService({
    database: core.database,
    audit: core.audit,
    identity,
    rbac,
    passwords,
    clock: core.clock,
    publicUrl: core.config.VIGIL_PUBLIC_URL,
    ttlMinutes: core.config.VIGIL_BOOTSTRAP_TTL_MINUTES,
    platformOrgId,
  });
  oauth = createOAuth({
    issuer: core.config.VIGIL_PUBLIC_URL,
    database: core.database,
    keyring: core.keyring,
    keys: core.keys,
    audit: core.audit,
    identity,
    sessions,
    sessionTokenOf: (req) => sessionTokenOf(req.headers),
    clock: core.clock,
    logger: core.logger,
    platformOrgId,
    behindProxy: core.config.VIGIL_BEHIND_TLS_PROXY,
    allowLoopbackCalls: core.config.VIGIL_ENV !== 'production',
    refreshReuseGraceSeconds: core.config.VIGIL_OIDC_REFRESH_REUSE_GRACE_SECONDS,
    clientSecretOverlapHours: core.config.VIGIL_OIDC_CLIENT_SECRET_OVERLAP_HOURS,
    signingKeyRotationDays: core.config.VIGIL_OIDC_SIGNING_KEY_ROTATION_DAYS,
    signingKeyPublishAheadSeconds: core.config.VIGIL_OIDC_SIGNING_KEY_PUBLISH_AHEAD_SECONDS,
    pages: oauthPages,
  });
  const apiKeys = createApiKeys({ ...base, database: core.database, rbac, platformOrgId });
  const lifecycle = createLifecycle({
    identity,
    sessions,
    devices: lockout.devices,
    apiKeys,
    rbac,
    revokeOAuth: oauth.revokeAllFor,
    onRevokeError: (err, userId) =>
      core.logger.error({ err, userId }, 'revoking OAuth access of a deactivated user failed'),
  });
  const accessExports = createAccessExports({ identity, rbac, mfa, sessions });
  return {
    identity,
    rbac,
    apiKeys,
    accessExports,
    lifecycle,
    oauth,
    tenancy,
    passwords,
    lockout,
    mfa,
    webauthn,
    sessions,
    signIn,
    passwordReset,
    account,
    bootstrap,
    mailer,
  };
}

export type Services = ReturnType<typeof createServices>;
