import { pairwiseIdentifier, randomToken } from '../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  newId,
  type Tx,
  withOrg,
  withPlatform,
} from '../platform/index.ts';
import type { Session } from '../sessions/index.ts';
import type { ApplicationRow } from './applications.store.ts';
import { type SamlApplications, settingsOf } from './applications.ts';
import type { AcsUrl, ApplicationSettings } from './applications-model.ts';
import { samlErrors } from './errors.ts';
import type { SamlKeys } from './keys.ts';
import {
  type Departure,
  type IdpIdentity,
  idpMetadataXml,
  loginResponse,
  logoutRequestUrl,
  logoutResponse,
  messageXml,
  readAuthnRequest,
  readLogoutMessage,
  type SamlMessage,
  samlId,
  verifyAuthnRequest,
  verifyLogoutRequest,
} from './protocol.ts';
import * as store from './sso.store.ts';

/** What a SAML endpoint answers: a departure, a sign-in first, or a refusal page. */
export type SamlOutcome =
  | Departure
  | { kind: 'login'; returnTo: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'signed_out'; ended: boolean; notify: string[]; next: Departure | null };

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
  /** Ends the browser's session (single logout), audited by the sessions service. */
  endSession(tx: Tx, session: Session, actor: AuditActor): Promise<void>;
  /** How long a SAML request may wait for its user to sign in. */
  pendingMinutes?: number;
}

/** `AuthnContextClassRef` from how the session was proven (RFC 8176 `amr`). */
function authnContextOf(amr: readonly string[]): string {
  if (amr.includes('mfa') || (amr.includes('pwd') && amr.some((m) => m === 'otp' || m === 'hwk')))
    return 'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract';
  if (amr.includes('pwd'))
    return 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
  return 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified';
}

const attributeNameFormat = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';

/**
 * Vigil as a SAML 2.0 identity provider (docs/sso.md#vigil-as-a-saml-identity-provider): the
 * protocol's use cases, each in the transactions of the organization whose URL it came to.
 */
export function createSamlService(deps: SamlServiceDeps) {
  const { database, clock } = deps;
  const pendingMinutes = deps.pendingMinutes ?? 10;

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

  /** The user's NameID at an application, per its format. */
  function nameIdOf(app: ApplicationRow, user: { id: string; email: string }): string {
    switch (app.name_id_format) {
      case 'email':
        return user.email;
      case 'persistent':
        return pairwiseIdentifier(app.id, user.id);
      case 'transient':
        return samlId(randomToken(16));
      default:
        return user.id;
    }
  }

  /** Signs the response for a signed-in session; records the participant; audits it. */
  async function issue(
    slug: string,
    app: ApplicationRow,
    acs: AcsUrl,
    session: Session,
    request: { id: string | null; relayState: string | null; initiated: 'sp' | 'idp' },
  ): Promise<SamlOutcome> {
    const user = await withOrg(database, session.orgId, async (tx) => {
      const found = await deps.userOf(tx, session.userId);
      return found && { ...found, roles: await deps.rolesOf(tx, session.orgId, session.userId) };
    });
    if (!user) return { kind: 'refused', reason: 'the signed-in user cannot sign in now' };
    const settings = settingsOf(app);
    const nameId = nameIdOf(app, user);
    const source = {
      email: [user.email],
      displayName: [user.displayName],
      userId: [user.id],
      roles: user.roles,
      orgSlug: [user.orgSlug],
    };
    const now = clock.now();
    const sessionIndex = samlId(session.id.replace(/-/g, ''));
    return withOrg(database, app.org_id, async (tx) => {
      const signing = await deps.keys.signingKey(tx, app.org_id);
      const departure = await loginResponse({
        idp: identityOf(slug),
        signing,
        app: settings,
        acs,
        assertion: {
          inResponseTo: request.id,
          nameId,
          nameIdFormat: settings.nameIdFormat,
          sessionIndex,
          authnInstant: session.createdAt,
          authnContextClassRef: authnContextOf(session.amr),
          attributes: settings.attributeMapping.map((m) => ({
            name: m.name,
            nameFormat: m.nameFormat ?? attributeNameFormat,
            values: source[m.source],
          })),
          lifetimeSeconds: 300,
        },
        relayState: request.relayState,
        ids: { response: samlId(randomToken(16)), assertion: samlId(randomToken(16)) },
        now,
      });
      await store.removeParticipant(tx, session.id, app.id);
      await store.insertParticipant(tx, {
        session_id: session.id,
        application_id: app.id,
        org_id: app.org_id,
        name_id: nameId,
        name_id_format: settings.nameIdFormat,
        session_index: sessionIndex,
        created_at: now,
      });
      await deps.audit(tx, {
        orgId: app.org_id,
        action: 'saml.response.issued',
        actor: { type: 'user', id: session.userId },
        target: { type: 'user', id: session.userId },
        details: {
          applicationId: app.id,
          entityId: app.entity_id,
          acsUrl: acs.url,
          nameIdFormat: settings.nameIdFormat,
          initiated: request.initiated,
          sessionId: session.id,
          userOrgId: session.orgId,
          encrypted: settings.encryptAssertion,
        },
      });
      return departure;
    });
  }

  /** Waits for the sign-in: the browser returns to `/saml/continue/{id}`. */
  async function wait(
    app: ApplicationRow,
    acs: AcsUrl,
    request: { id: string | null; relayState: string | null; forceAuthn: boolean },
  ): Promise<SamlOutcome> {
    const now = clock.now();
    const id = newId(now.getTime());
    await withOrg(database, app.org_id, (tx) =>
      store.insertPending(tx, {
        id,
        org_id: app.org_id,
        application_id: app.id,
        request_id: request.id,
        acs_url: acs.url,
        relay_state: request.relayState,
        force_authn: request.forceAuthn,
        created_at: now,
        expires_at: new Date(now.getTime() + pendingMinutes * 60_000),
      }),
    );
    return { kind: 'login', returnTo: `/saml/continue/${id}` };
  }

  /** The ACS URL a request asks for, only when the application registered it. */
  function chosenAcs(
    settings: ApplicationSettings,
    header: { acsUrl: string | null; acsIndex: number | null },
  ): AcsUrl | undefined {
    if (header.acsUrl !== null) return settings.acsUrls.find((a) => a.url === header.acsUrl);
    if (header.acsIndex !== null) return settings.acsUrls.find((a) => a.index === header.acsIndex);
    return settings.acsUrls.find((a) => a.isDefault) ?? settings.acsUrls[0];
  }

  const relayOf = (message: SamlMessage) => {
    const relay = message.fields.RelayState;
    return relay && relay.length <= 1024 ? relay : null;
  };

  return {
    identityOf,

    /** The organization's IdP metadata (every published certificate). */
    async metadata(slug: string): Promise<string> {
      const org = await orgOf(slug);
      return withOrg(database, org.id, async (tx) =>
        idpMetadataXml(
          identityOf(org.slug),
          await deps.keys.publishedCertificates(tx, org.id, 'signing'),
          await deps.keys.publishedCertificates(tx, org.id, 'encryption'),
        ),
      );
    },

    /** An SP-initiated AuthnRequest (Redirect or POST binding). */
    async authnRequest(
      slug: string,
      message: SamlMessage,
      session: Session | undefined,
      client: SamlClient,
    ): Promise<SamlOutcome> {
      const org = await orgOf(slug);
      const xml = messageXml(message, 'SAMLRequest');
      const header = xml ? readAuthnRequest(xml) : null;
      if (!header) return refuse(org.id, 'the SAML request could not be read', client);
      const app = await withOrg(database, org.id, (tx) =>
        deps.applications.byEntityId(tx, org.id, header.issuer),
      );
      if (!app?.enabled)
        return refuse(org.id, 'unknown or disabled application', client, { issuer: header.issuer });
      const settings = settingsOf(app);
      const signingCert = await withOrg(
        database,
        org.id,
        async (tx) => (await deps.keys.signingKey(tx, org.id)).certificate,
      );
      try {
        await verifyAuthnRequest(identityOf(org.slug), signingCert, settings, message);
      } catch (err) {
        return refuse(
          org.id,
          settings.wantRequestsSigned
            ? 'the request is not signed by the application'
            : 'the request is not valid SAML',
          client,
          { error: err instanceof Error ? err.message : String(err) },
          app.id,
        );
      }
      if (header.destination !== null && header.destination !== identityOf(org.slug).ssoUrl)
        return refuse(
          org.id,
          'the request is addressed elsewhere',
          client,
          {
            destination: header.destination,
          },
          app.id,
        );
      const acs = chosenAcs(settings, header);
      if (!acs)
        return refuse(
          org.id,
          'the ACS URL is not registered for the application',
          client,
          {
            acsUrl: header.acsUrl,
            acsIndex: header.acsIndex,
          },
          app.id,
        );
      const request = {
        id: header.id,
        relayState: relayOf(message),
        forceAuthn: header.forceAuthn,
      };
      if (!session) return wait(app, acs, request);
      if (!mayUse(app.org_id, session))
        return refuse(
          org.id,
          'the application is not available to the signed-in organization',
          client,
          {
            userOrgId: session.orgId,
          },
          app.id,
        );
      return issue(org.slug, app, acs, session, { ...request, initiated: 'sp' });
    },

    /** An IdP-initiated sign-in to an application that allows it. */
    async idpInitiated(
      slug: string,
      applicationId: string,
      session: Session | undefined,
      client: SamlClient,
    ): Promise<SamlOutcome> {
      const org = await orgOf(slug);
      const app = /^[0-9a-f-]{36}$/.test(applicationId)
        ? await withOrg(database, org.id, (tx) => deps.applications.row(tx, org.id, applicationId))
        : undefined;
      if (!app?.enabled || !app.idp_initiated)
        return refuse(org.id, 'no application here allows IdP-initiated sign-in', client, {
          applicationId,
        });
      const settings = settingsOf(app);
      const acs = chosenAcs(settings, { acsUrl: null, acsIndex: null });
      if (!acs) return refuse(org.id, 'the application has no ACS URL', client, {}, app.id);
      const request = { id: null, relayState: settings.defaultRelayState, forceAuthn: false };
      if (!session) return wait(app, acs, request);
      if (!mayUse(app.org_id, session))
        return refuse(
          org.id,
          'the application is not available to the signed-in organization',
          client,
          {
            userOrgId: session.orgId,
          },
          app.id,
        );
      return issue(org.slug, app, acs, session, { ...request, initiated: 'idp' });
    },

    /** The browser is back from the sign-in: answer the request that waited for it, once. */
    async resume(
      id: string,
      session: Session | undefined,
      client: SamlClient,
    ): Promise<SamlOutcome> {
      const owner = /^[0-9a-f-]{36}$/.test(id)
        ? await withPlatform(database, async (tx) => {
            const orgId = await store.pendingOrg(tx, id);
            const slug = orgId && (await deps.organizationSlugOf(tx, orgId));
            return orgId && slug ? { orgId, slug } : undefined;
          })
        : undefined;
      if (!owner) return { kind: 'refused', reason: 'the sign-in request expired or was answered' };
      if (!session) return { kind: 'login', returnTo: `/saml/continue/${id}` };
      const { orgId, slug } = owner;
      const found = await withOrg(database, orgId, async (tx) => {
        const pending = await store.takePending(tx, id);
        const app = pending && (await deps.applications.row(tx, orgId, pending.application_id));
        return pending && app ? { pending, app } : undefined;
      });
      if (!found || found.pending.expires_at <= clock.now())
        return { kind: 'refused', reason: 'the sign-in request expired or was answered' };
      const { pending, app } = found;
      if (!app.enabled) return refuse(orgId, 'unknown or disabled application', client, {}, app.id);
      // The ACS URL was checked when the request arrived; it must still be registered.
      const acs = settingsOf(app).acsUrls.find((a) => a.url === pending.acs_url);
      if (!acs)
        return refuse(
          orgId,
          'the ACS URL is not registered for the application',
          client,
          {
            acsUrl: pending.acs_url,
          },
          app.id,
        );
      if (!mayUse(app.org_id, session))
        return refuse(
          orgId,
          'the application is not available to the signed-in organization',
          client,
          {
            userOrgId: session.orgId,
          },
          app.id,
        );
      return issue(slug, app, acs, session, {
        id: pending.request_id,
        relayState: pending.relay_state,
        initiated: pending.request_id ? 'sp' : 'idp',
      });
    },

    /**
     * SP-initiated single logout: ends the browser's Vigil session when the request names it,
     * tells the session's other applications (front-channel LogoutRequests), and answers the
     * requesting application with a LogoutResponse.
     */
    async logout(
      slug: string,
      message: SamlMessage,
      session: Session | undefined,
      client: SamlClient,
    ): Promise<SamlOutcome> {
      const org = await orgOf(slug);
      if (message.fields.SAMLResponse !== undefined) {
        // An application's answer to a LogoutRequest Vigil sent: the session already ended.
        return { kind: 'signed_out', ended: false, notify: [], next: null };
      }
      const xml = messageXml(message, 'SAMLRequest');
      const header = xml ? readLogoutMessage(xml, 'LogoutRequest') : null;
      if (!header) return refuse(org.id, 'the SAML logout request could not be read', client);
      const app = await withOrg(database, org.id, (tx) =>
        deps.applications.byEntityId(tx, org.id, header.issuer),
      );
      if (!app) return refuse(org.id, 'unknown application', client, { issuer: header.issuer });
      const settings = settingsOf(app);
      const identity = identityOf(org.slug);
      const signing = await withOrg(database, org.id, (tx) => deps.keys.signingKey(tx, org.id));
      try {
        await verifyLogoutRequest(identity, signing.certificate, settings, message);
      } catch (err) {
        return refuse(
          org.id,
          'the logout request is not valid or not signed by the application',
          client,
          {
            error: err instanceof Error ? err.message : String(err),
          },
          app.id,
        );
      }
      const notify: string[] = [];
      let ended = false;
      if (session) {
        const participants = await withOrg(database, org.id, (tx) =>
          store.participantsOf(tx, session.id),
        );
        const mine = participants.find((p) => p.application_id === app.id);
        // Only the session the request names ends: the NameID this application was given.
        if (mine && mine.name_id === header.nameId) {
          for (const other of participants.filter((p) => p !== mine)) {
            const target = await withOrg(database, org.id, (tx) =>
              deps.applications.row(tx, org.id, other.application_id),
            );
            const url =
              target &&
              logoutRequestUrl({
                idp: identity,
                signing,
                app: settingsOf(target),
                nameId: other.name_id,
                nameIdFormat: other.name_id_format,
                sessionIndex: other.session_index,
              });
            if (url) notify.push(url);
          }
          await withOrg(database, org.id, async (tx) => {
            await store.removeParticipants(tx, session.id);
            await deps.audit(tx, {
              orgId: org.id,
              action: 'saml.logout',
              actor: {
                type: 'user',
                id: session.userId,
                ip: client.ip,
                userAgent: client.userAgent,
              },
              target: { type: 'user', id: session.userId },
              details: {
                initiatedBy: app.id,
                sessionId: session.id,
                told: participants.filter((p) => p !== mine).map((p) => p.application_id),
              },
            });
          });
          await withOrg(database, session.orgId, (tx) =>
            deps.endSession(tx, session, { type: 'user', id: session.userId, ip: client.ip }),
          );
          ended = true;
        }
      }
      const next = logoutResponse({
        idp: identity,
        signing,
        app: settings,
        inResponseTo: header.id,
        relayState: relayOf(message),
      });
      return { kind: 'signed_out', ended, notify, next };
    },

    /** Removes waiting requests nobody came back to (housekeeping). */
    sweep: () => withPlatform(database, (tx) => store.sweepPending(tx, clock.now())),
  };
}

export type SamlService = ReturnType<typeof createSamlService>;
