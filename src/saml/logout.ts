import { withOrg, withPlatform } from '../platform/index.ts';
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
      // The session the request names: by its SessionIndex when the request is signed (an
      // unsigned one could end anyone's session), or the browser's own when its cookie came
      // along (a cross-site POST leaves it behind). Either way the NameID must be the one this
      // application was given in that session.
      const named = await withOrg(database, org.id, async (tx) => {
        if (settings.spCertificate)
          for (const index of header.sessionIndexes) {
            const found = await store.participantByIndex(tx, app.id, index);
            if (found && found.name_id === header.nameId) return found;
          }
        const own = session && (await store.participant(tx, session.id, app.id));
        return own && own.name_id === header.nameId ? own : undefined;
      });
      const notify: string[] = [];
      if (named) {
        const participants = await withOrg(database, org.id, (tx) =>
          store.participantsOf(tx, named.session_id),
        );
        const others = participants.filter((p) => p.application_id !== app.id);
        for (const other of others) {
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
        const actor =
          session?.id === named.session_id
            ? {
                type: 'user' as const,
                id: session.userId,
                ip: client.ip,
                userAgent: client.userAgent,
              }
            : { type: 'anonymous' as const, ip: client.ip, userAgent: client.userAgent };
        // The session may belong to another organization (a platform application): its scope.
        const ended = await withPlatform(database, (tx) =>
          deps.endSession(tx, named.session_id, actor),
        );
        await withOrg(database, org.id, async (tx) => {
          await store.removeParticipants(tx, named.session_id);
          await deps.audit(tx, {
            orgId: org.id,
            action: 'saml.logout',
            actor,
            ...(ended ? { target: { type: 'user', id: ended.userId } } : {}),
            details: {
              initiatedBy: app.id,
              sessionId: named.session_id,
              sessionEnded: ended !== undefined,
              told: others.map((p) => p.application_id),
            },
          });
        });
      }
      const ended = named !== undefined && session?.id === named.session_id;
      const next = logoutResponse({
        idp: identity,
        signing,
        app: settings,
        inResponseTo: header.id,
        relayState: relayOf(message),
      });
      return { kind: 'signed_out', ended, notify, next };
    },
  };
}
