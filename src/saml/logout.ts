import { withOrg } from '../platform/index.ts';
import type { Session } from '../sessions/index.ts';
import { settingsOf } from './applications.ts';
import type { SamlClient, SamlContext, SamlOutcome, SamlServiceDeps } from './context.ts';
import { messageXml, readLogoutMessage, type SamlMessage } from './messages.ts';
import { logoutRequestUrl, logoutResponse, verifyLogoutRequest } from './protocol.ts';
import { relayOf } from './sign-in-model.ts';
import * as store from './sso.store.ts';

/** SP-initiated single logout (docs/sso.md#vigil-as-a-saml-identity-provider). */
export function createSamlLogout(deps: SamlServiceDeps, ctx: SamlContext) {
  const { database } = deps;
  const { identityOf, orgOf, refuse } = ctx;
  return {
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
  };
}
