import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  type Tx,
  withOrg,
  withPlatform,
} from '../platform/index.ts';
import type { Session } from '../sessions/index.ts';
import type { SamlApplications } from './applications.ts';
import { samlErrors } from './errors.ts';
import type { SamlKeys } from './keys.ts';
import type { Departure, IdpIdentity } from './messages.ts';

/** What a SAML endpoint answers: a departure, a sign-in first, or a refusal page. */
export type SamlOutcome =
  | Departure
  /** The user signs in first (`again`: afresh, over the session the browser has). */
  | { kind: 'login'; returnTo: string; again: boolean }
  | { kind: 'refused'; reason: string }
  /** Signed out: `ended` the browser's own session; `next` the next message of the logout. */
  | { kind: 'signed_out'; ended: boolean; next: Departure | null };

export interface SamlClient {
  ip: string;
  userAgent?: string;
}

export interface SamlServiceDeps {
  database: Database;
  audit: AuditWriter;
  clock: Clock;
  publicUrl: string;
  platformOrgId: string;
  keys: SamlKeys;
  applications: SamlApplications;
  /** An active organization by slug (platform scope), or undefined. */
  organizationBySlug(tx: Tx, slug: string): Promise<{ id: string; slug: string } | undefined>;
  /** An organization's slug by id (platform scope). */
  organizationSlugOf(tx: Tx, orgId: string): Promise<string | undefined>;
  /** The signed-in user, read in their organization's scope; undefined unless active. */
  userOf(
    tx: Tx,
    userId: string,
  ): Promise<{ id: string; email: string; displayName: string; orgSlug: string } | undefined>;
  rolesOf(tx: Tx, orgId: string, userId: string): Promise<string[]>;
  /**
   * Ends a session by its id, whoever's it is (platform scope), audited by the sessions service;
   * returns whose it was, or undefined when it had already ended.
   */
  endSession(
    tx: Tx,
    sessionId: string,
    actor: AuditActor,
  ): Promise<{ userId: string; orgId: string } | undefined>;
  /** How long a SAML request may wait for its user to sign in. */
  pendingMinutes?: number;
}

/**
 * What the SAML use cases share: the organization's IdP identity from its URL, and the audited
 * refusal (nothing signed).
 */
export function createSamlContext(deps: SamlServiceDeps) {
  const { database } = deps;
  const identityOf = (slug: string): IdpIdentity => {
    const base = `${deps.publicUrl}/saml/${slug}`;
    return { entityId: base, ssoUrl: `${base}/sso`, sloUrl: `${base}/slo` };
  };

  async function orgOf(slug: string) {
    const org = /^[a-z0-9][a-z0-9-]{1,62}$/.test(slug)
      ? await withPlatform(database, (tx) => deps.organizationBySlug(tx, slug))
      : undefined;
    if (!org) throw samlErrors.organizationUnknown();
    return org;
  }

  /** A refusal, audited in the organization's log: nothing was signed. */
  async function refuse(
    orgId: string,
    reason: string,
    client: SamlClient,
    details: Record<string, unknown> = {},
    applicationId?: string,
  ): Promise<SamlOutcome> {
    await withOrg(database, orgId, (tx) =>
      deps.audit(tx, {
        orgId,
        action: 'saml.request.refused',
        outcome: 'denied',
        actor: { type: 'anonymous', ip: client.ip, userAgent: client.userAgent },
        ...(applicationId ? { target: { type: 'saml_application', id: applicationId } } : {}),
        details: { reason, ...details },
      }),
    );
    return { kind: 'refused', reason };
  }

  /** Whether a session may sign in to an application of `appOrgId` (as OIDC clients). */
  const mayUse = (appOrgId: string, session: Session) =>
    appOrgId === deps.platformOrgId || appOrgId === session.orgId;

  return { identityOf, orgOf, refuse, mayUse };
}

export type SamlContext = ReturnType<typeof createSamlContext>;
