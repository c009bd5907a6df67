import { randomToken } from '../crypto/index.ts';
import { newId, withOrg, withPlatform } from '../platform/index.ts';
import type { Session } from '../sessions/index.ts';
import type { ApplicationRow } from './applications.store.ts';
import { settingsOf } from './applications.ts';
import type { AcsUrl } from './applications-model.ts';
import {
  createSamlContext,
  type SamlClient,
  type SamlOutcome,
  type SamlServiceDeps,
} from './context.ts';
import { createSamlLogout } from './logout.ts';
import { sweepLogouts } from './logouts.store.ts';
import { messageXml, readAuthnRequest, type SamlMessage, samlId } from './messages.ts';
import {
  idpMetadataXml,
  loginResponse,
  noPassiveResponse,
  verifyAuthnRequest,
} from './protocol.ts';
import { assertionFor, chosenAcs, nameIdOf, relayOf } from './sign-in-model.ts';
import * as store from './sso.store.ts';

export type { SamlClient, SamlOutcome, SamlServiceDeps } from './context.ts';

/** What an answer to the application carries back: its request's ID and the RelayState. */
interface PendingRequest {
  id: string | null;
  relayState: string | null;
}

/**
 * Vigil as a SAML 2.0 identity provider (docs/sso.md#vigil-as-a-saml-identity-provider): the
 * protocol's use cases, each in the transactions of the organization whose URL it came to.
 */
export function createSamlService(deps: SamlServiceDeps) {
  const { database, clock } = deps;
  const pendingMinutes = deps.pendingMinutes ?? 10;

  const ctx = createSamlContext(deps);
  const { identityOf, orgOf, refuse, mayUse } = ctx;

  /** Signs the response for a signed-in session; records the participant; audits it. */
  async function issue(
    slug: string,
    app: ApplicationRow,
    acs: AcsUrl,
    session: Session,
    request: PendingRequest & { initiated: 'sp' | 'idp' },
  ): Promise<SamlOutcome> {
    const user = await withOrg(database, session.orgId, async (tx) => {
      const found = await deps.userOf(tx, session.userId);
      return found && { ...found, roles: await deps.rolesOf(tx, session.orgId, session.userId) };
    });
    if (!user) return { kind: 'refused', reason: 'the signed-in user cannot sign in now' };
    const settings = settingsOf(app);
    const nameId = nameIdOf(app, user);
    const now = clock.now();
    // Opaque: names this sign-in to the application, tells it nothing about the session.
    const sessionIndex = samlId(randomToken(16));
    return withOrg(database, app.org_id, async (tx) => {
      const signing = await deps.keys.signingKey(tx, app.org_id);
      const departure = await loginResponse({
        idp: identityOf(slug),
        signing,
        app: settings,
        acs,
        assertion: assertionFor(settings, user, session, {
          nameId,
          sessionIndex,
          inResponseTo: request.id,
        }),
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

  /**
   * Keeps a request the session cannot answer here and now (none is seen, or the application
   * asked for a fresh sign-in): the browser goes on by GET to `/saml/continue/{id}`, where its
   * session cookie is sent even after a cross-site POST, and `resume` decides.
   */
  async function wait(
    app: ApplicationRow,
    acs: AcsUrl,
    request: PendingRequest & { forceAuthn: boolean; isPassive: boolean },
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
        is_passive: request.isPassive,
        created_at: now,
        expires_at: new Date(now.getTime() + pendingMinutes * 60_000),
      }),
    );
    return { kind: 'redirect', location: `/saml/continue/${id}` };
  }

  /** The application's answer when the browser's session may sign in to it now. */
  async function answerNow(
    org: { id: string; slug: string },
    app: ApplicationRow,
    acs: AcsUrl,
    session: Session,
    request: PendingRequest,
    client: SamlClient,
  ): Promise<SamlOutcome> {
    if (!mayUse(app.org_id, session))
      return refuse(
        org.id,
        'the application is not available to the signed-in organization',
        client,
        { userOrgId: session.orgId },
        app.id,
      );
    return issue(org.slug, app, acs, session, {
      ...request,
      initiated: request.id ? 'sp' : 'idp',
    });
  }

  /**
   * A passive request that would need a sign-in: the signed NoPassive status goes back to the
   * application (SAML core §3.4.1), and the user sees no sign-in page.
   */
  async function noPassive(
    slug: string,
    app: ApplicationRow,
    acs: AcsUrl,
    request: PendingRequest,
    sessionSeen: boolean,
  ): Promise<SamlOutcome> {
    return withOrg(database, app.org_id, async (tx) => {
      const departure = await noPassiveResponse({
        idp: identityOf(slug),
        signing: await deps.keys.signingKey(tx, app.org_id),
        app: settingsOf(app),
        acs,
        inResponseTo: request.id,
        relayState: request.relayState,
        id: samlId(randomToken(16)),
        now: clock.now(),
      });
      await deps.audit(tx, {
        orgId: app.org_id,
        action: 'saml.response.no_passive',
        actor: { type: 'system' },
        target: { type: 'saml_application', id: app.id },
        details: { entityId: app.entity_id, acsUrl: acs.url, sessionSeen },
      });
      return departure;
    });
  }

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
      const request = { id: header.id, relayState: relayOf(message) };
      if (session && !header.forceAuthn) return answerNow(org, app, acs, session, request, client);
      return wait(app, acs, {
        ...request,
        forceAuthn: header.forceAuthn,
        isPassive: header.isPassive,
      });
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
      const request = { id: null, relayState: settings.defaultRelayState };
      if (session) return answerNow(org, app, acs, session, request, client);
      return wait(app, acs, { ...request, forceAuthn: false, isPassive: false });
    },

    /**
     * The browser is back (from the request, or from the sign-in): answer the request that waited,
     * once. Without a session, or with one older than a ForceAuthn request, the user signs in
     * first, unless the request was passive: then the application hears NoPassive.
     */
    async resume(
      id: string,
      session: Session | undefined,
      client: SamlClient,
    ): Promise<SamlOutcome> {
      const gone = {
        kind: 'refused',
        reason: 'the sign-in request expired or was answered',
      } as const;
      const owner = /^[0-9a-f-]{36}$/.test(id)
        ? await withPlatform(database, async (tx) => {
            const orgId = await store.pendingOrg(tx, id);
            const slug = orgId && (await deps.organizationSlugOf(tx, orgId));
            return orgId && slug ? { id: orgId, slug } : undefined;
          })
        : undefined;
      if (!owner) return gone;
      const waiting = await withOrg(database, owner.id, (tx) => store.pendingById(tx, id));
      if (!waiting || waiting.expires_at <= clock.now()) return gone;
      const fresh =
        session !== undefined &&
        (!waiting.force_authn || session.createdAt.getTime() >= waiting.created_at.getTime());
      if (!fresh && !waiting.is_passive)
        return { kind: 'login', returnTo: `/saml/continue/${id}`, again: session !== undefined };
      const found = await withOrg(database, owner.id, async (tx) => {
        const pending = await store.takePending(tx, id);
        const app = pending && (await deps.applications.row(tx, owner.id, pending.application_id));
        return pending && app ? { pending, app } : undefined;
      });
      if (!found) return gone;
      const { pending, app } = found;
      if (!app.enabled)
        return refuse(owner.id, 'unknown or disabled application', client, {}, app.id);
      // The ACS URL was checked when the request arrived; it must still be registered.
      const acs = settingsOf(app).acsUrls.find((a) => a.url === pending.acs_url);
      if (!acs)
        return refuse(
          owner.id,
          'the ACS URL is not registered for the application',
          client,
          { acsUrl: pending.acs_url },
          app.id,
        );
      const request = { id: pending.request_id, relayState: pending.relay_state };
      if (!fresh) return noPassive(owner.slug, app, acs, request, session !== undefined);
      return answerNow(owner, app, acs, session, request, client);
    },

    ...createSamlLogout(deps, ctx),

    /** Forgets requests and logouts nobody came back for. */
    sweep: async () =>
      (await withPlatform(database, (tx) => store.sweepPending(tx, clock.now()))) +
      (await withPlatform(database, (tx) => sweepLogouts(tx, clock.now()))),
  };
}

export type SamlService = ReturnType<typeof createSamlService>;
