import type { LockoutPolicy } from '../../../auth/lockout/index.ts';
import type { MfaPolicy } from '../../../auth/mfa/index.ts';
import type { PasswordPolicy } from '../../../auth/password/index.ts';
import type { User } from '../../../identity/index.ts';
import type { OAuthClient } from '../../../oauth/index.ts';
import type { Tx, Versioned } from '../../../platform/index.ts';
import type { RoleDefinition } from '../../../rbac/index.ts';
import type { SessionPolicy } from '../../../sessions/index.ts';

/**
 * What the authentication checks read, each through the service that owns it (the policies in
 * force, roles and their holders, second factors, OAuth clients). All of it in the check's
 * organization-scope transaction.
 */
export interface AuthenticationReads {
  passwordPolicy(tx: Tx, orgId: string): Promise<Versioned<PasswordPolicy>>;
  lockoutPolicy(tx: Tx, orgId: string): Promise<Versioned<LockoutPolicy>>;
  sessionPolicy(tx: Tx, orgId: string): Promise<Versioned<SessionPolicy>>;
  mfaPolicy(tx: Tx, orgId: string): Promise<Versioned<MfaPolicy>>;
  /** The users of the organization who have a confirmed second factor. */
  usersWithFactor(tx: Tx, orgId: string): Promise<Set<string>>;
  /** The organization's roles, built-in and custom, with their flags. */
  rolesOf(tx: Tx, orgId: string): Promise<RoleDefinition[]>;
  /** The roles each user holds now (expired assignments left out), by user id. */
  holdersIn(tx: Tx, orgId: string): Promise<Map<string, RoleDefinition[]>>;
  /** Every user of the organization, whatever their status. */
  usersOf(tx: Tx, orgId: string): Promise<User[]>;
  /** The OAuth clients registered in the organization (not the platform's), as stored. */
  oauthClients(tx: Tx, orgId: string): Promise<OAuthClient[]>;
  /** The organization's display name (exceptions and summaries name it). */
  organizationName(tx: Tx, orgId: string): Promise<string>;
}

/** What the authentication checks (controls/checks/authentication.ts) read through other modules' services. */
export interface AuthenticationSources {
  authentication: AuthenticationReads;
}
