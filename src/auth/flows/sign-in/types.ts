import type { AuditLog } from '../../../audit/index.ts';
import type { IdentityService, UserDirectory } from '../../../identity/index.ts';
import type { Clock, Database, Logger, Mailer } from '../../../platform/index.ts';
import type { Rbac } from '../../../rbac/index.ts';
import type { Session, SessionService } from '../../../sessions/index.ts';
import type { TenancyService } from '../../../tenancy/index.ts';
import type { LockoutService } from '../../lockout/index.ts';
import type { MfaService, Webauthn } from '../../mfa/index.ts';
import type { PasswordService } from '../../password/index.ts';
import type { SsoPolicyService } from '../sso-policy.ts';

/** The browser's side of a sign-in: where it comes from, for lockout, audit and the session. */
export interface Client {
  ip: string;
  userAgent?: string;
  /** The browser's device tokens (its device cookie): accounts it has signed in to before. */
  deviceTokens?: readonly string[];
}

/** Where a started sign-in waits: for a second factor, an enrollment or a new password. */
export type Stage = 'mfa' | 'enroll' | 'password_change';

/**
 * What a step answers. `failed` is deliberately one answer for an unknown email, a wrong password,
 * a locked, throttled, suspended or deprovisioned account (docs/authentication.md#timing).
 */
export type StepResult =
  | { kind: 'failed' }
  | { kind: 'choose_org'; orgs: { slug: string; name: string }[] }
  | { kind: 'continue'; stage: Stage; flowToken: string }
  /** `deviceToken`: a new token for the browser's device cookie, when it had none for the user. */
  | { kind: 'signed_in'; session: Session; token: string; deviceToken: string | null };

export interface SignInDeps {
  database: Database;
  audit: AuditLog;
  identity: IdentityService;
  /** Creates the users just-in-time provisioning makes (user.created with their source). */
  directory: Pick<UserDirectory, 'create'>;
  tenancy: Pick<TenancyService, 'isActive'>;
  rbac: Rbac;
  passwords: PasswordService;
  lockout: LockoutService;
  mfa: MfaService;
  webauthn: Webauthn;
  sessions: SessionService;
  /** SSO required (passwords refused) and whose MFA counts after a federated sign-in. */
  ssoPolicy: SsoPolicyService;
  clock: Clock;
  platformOrgId: string;
  /** Tells the owner when their account gets locked. */
  mailer: Mailer;
  logger: Logger;
  /** How long a started sign-in may take between steps. */
  flowMinutes?: number;
}
