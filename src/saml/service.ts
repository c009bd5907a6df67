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
import { messageXml, readAuthnRequest, type SamlMessage, samlId } from './messages.ts';
import { idpMetadataXml, loginResponse, verifyAuthnRequest } from './protocol.ts';
import { assertionFor, chosenAcs, nameIdOf, relayOf } from './sign-in-model.ts';
import * as store from './sso.store.ts';

export type { SamlClient, SamlOutcome, SamlServiceDeps } from './context.ts';

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
    request: { id: string | null; relayState: string | null; initiated: 'sp' | 'idp' },
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

    ...createSamlLogout(deps, ctx),

    sweep: () => withPlatform(database, (tx) => store.sweepPending(tx, clock.now())),
  };
}

export type SamlService = ReturnType<typeof createSamlService>;
