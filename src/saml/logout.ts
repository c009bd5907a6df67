import { type AuditActor, newId, withOrg, withPlatform } from '../platform/index.ts';
import type { Session } from '../sessions/index.ts';
import { settingsOf } from './applications.ts';
import type { SamlClient, SamlContext, SamlOutcome, SamlServiceDeps } from './context.ts';
import * as logouts from './logouts.store.ts';
import { type Departure, messageXml, readLogoutMessage, type SamlMessage } from './messages.ts';
import { logoutRequest, logoutResponse, verifyLogoutRequest } from './protocol.ts';
import { relayOf } from './sign-in-model.ts';
import * as store from './sso.store.ts';

/**
 * Single logout (docs/sso.md#single-logout), asked for by an application or by the user signing
 * out at Vigil. The session ends at once; then the browser carries a signed LogoutRequest to each
 * of the session's other SAML applications in turn (by its SLO URL's binding), each
 * LogoutResponse bringing it back for the next, and at the end the application that asked gets
 * its LogoutResponse. Top-level navigations, not frames: they reach applications whose cookies a
 * browser withholds from third-party frames, and POST-bound SLO URLs too.
 */
export function createSamlLogout(deps: SamlServiceDeps, ctx: SamlContext) {
  const { database, clock } = deps;
  const { identityOf, orgOf, refuse } = ctx;
  const minutes = deps.pendingMinutes ?? 10;

  /** An application with its organization's slug and signing key, read in its own scope. */
  async function applicationOf(orgId: string, applicationId: string) {
    const slug = await withPlatform(database, (tx) => deps.organizationSlugOf(tx, orgId));
    const found = await withOrg(database, orgId, async (tx) => {
      const row = await deps.applications.row(tx, orgId, applicationId);
      return row && { row, signing: await deps.keys.signingKey(tx, orgId) };
    });
    return slug && found ? { ...found, identity: identityOf(slug) } : undefined;
  }

  /** The signed LogoutResponse to the application that asked (null: it has no SLO URL). */
  async function answerOf(answer: logouts.LogoutAnswer): Promise<Departure | null> {
    const app = await applicationOf(answer.orgId, answer.applicationId);
    return app
      ? logoutResponse({
          idp: app.identity,
          signing: app.signing,
          app: settingsOf(app.row),
          inResponseTo: answer.requestId,
          relayState: answer.relayState,
        })
      : null;
  }

  /**
   * Snapshots the ended session's applications with an SLO URL (but `except`, the one that
   * asked), in every organization, and forgets them as participants. Returns the logout to walk,
   * or undefined when nobody is to be told.
   */
  async function begin(
    session: { id: string; orgId: string },
    except: string | null,
    answer: logouts.LogoutAnswer | null,
  ): Promise<{ id: string; remaining: logouts.LogoutTarget[] } | undefined> {
    const participants = await withPlatform(database, async (tx) => {
      const all = await store.participantsOf(tx, session.id);
      await store.removeParticipants(tx, session.id);
      return all.filter((p) => p.application_id !== except);
    });
    const remaining: logouts.LogoutTarget[] = [];
    for (const p of participants) {
      const app = await withOrg(database, p.org_id, (tx) =>
        deps.applications.row(tx, p.org_id, p.application_id),
      );
      if (app?.slo_url)
        remaining.push({
          applicationId: p.application_id,
          orgId: p.org_id,
          nameId: p.name_id,
          nameIdFormat: p.name_id_format,
          sessionIndex: p.session_index,
        });
    }
    if (remaining.length === 0) return undefined;
    const now = clock.now();
    const id = newId(now.getTime());
    await withOrg(database, session.orgId, (tx) =>
      logouts.insertLogout(
        tx,
        {
          id,
          orgId: session.orgId,
          sessionId: session.id,
          remaining,
          awaiting: null,
          answer,
          expiresAt: new Date(now.getTime() + minutes * 60_000),
        },
        now,
      ),
    );
    return { id, remaining };
  }

  /**
   * Moves a logout on once `answered` is the request it waited for (null: not started): the
   * LogoutRequest to the next application, or the end. Undefined for a logout that is unknown,
   * expired, or not waiting for that answer (a replayed or stray LogoutResponse).
   */
  async function advance(
    id: string,
    answered: string | null,
  ): Promise<{ next: Departure | null } | undefined> {
    const orgId = /^[0-9a-f-]{36}$/.test(id)
      ? await withPlatform(database, (tx) => logouts.logoutOrg(tx, id))
      : undefined;
    if (!orgId) return undefined;
    const read = () => withOrg(database, orgId, (tx) => logouts.lockedLogout(tx, id));
    const logout = await read();
    if (!logout || logout.expiresAt <= clock.now() || logout.awaiting !== answered)
      return undefined;
    for (const [i, target] of logout.remaining.entries()) {
      const app = await applicationOf(target.orgId, target.applicationId);
      const made =
        app &&
        logoutRequest({
          idp: app.identity,
          signing: app.signing,
          app: settingsOf(app.row),
          nameId: target.nameId,
          nameIdFormat: target.nameIdFormat,
          sessionIndex: target.sessionIndex,
          relayState: id,
        });
      // An application deleted, or without an SLO URL since, is passed over.
      if (!made) continue;
      const moved = await withOrg(database, orgId, async (tx) => {
        const now = await logouts.lockedLogout(tx, id);
        if (now?.awaiting !== answered) return false;
        await logouts.moveLogout(tx, id, logout.remaining.slice(i + 1), made.id);
        return true;
      });
      return moved ? { next: made.departure } : undefined;
    }
    await withOrg(database, orgId, (tx) => logouts.deleteLogout(tx, id));
    return { next: logout.answer ? await answerOf(logout.answer) : null };
  }

  /** An application's LogoutResponse to a request of the chain: on to the next. */
  async function answered(message: SamlMessage): Promise<SamlOutcome> {
    const xml = messageXml(message, 'SAMLResponse');
    const header = xml ? readLogoutMessage(xml, 'LogoutResponse') : null;
    const relay = message.fields.RelayState;
    const moved = header?.inResponseTo && relay ? await advance(relay, header.inResponseTo) : null;
    return { kind: 'signed_out', ended: false, next: moved?.next ?? null };
  }

  return {
    /**
     * A LogoutRequest from an application (or its LogoutResponse to Vigil's): ends the session it
     * names, then the chain; the browser's cookie goes when its own session ended.
     */
    async logout(
      slug: string,
      message: SamlMessage,
      session: Session | undefined,
      client: SamlClient,
    ): Promise<SamlOutcome> {
      const org = await orgOf(slug);
      if (message.fields.SAMLResponse !== undefined) return answered(message);
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
          { error: err instanceof Error ? err.message : String(err) },
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
      const answer = {
        applicationId: app.id,
        orgId: org.id,
        requestId: header.id,
        relayState: relayOf(message),
      };
      if (!named) return { kind: 'signed_out', ended: false, next: await answerOf(answer) };
      const actor: AuditActor =
        session?.id === named.session_id
          ? { type: 'user', id: session.userId, ip: client.ip, userAgent: client.userAgent }
          : { type: 'anonymous', ip: client.ip, userAgent: client.userAgent };
      // The session may belong to another organization (a platform application): its scope.
      const ended = await withPlatform(database, (tx) =>
        deps.endSession(tx, named.session_id, actor),
      );
      const chain = ended
        ? await begin({ id: named.session_id, orgId: ended.orgId }, app.id, answer)
        : undefined;
      await withOrg(database, org.id, (tx) =>
        deps.audit(tx, {
          orgId: org.id,
          action: 'saml.logout',
          actor,
          ...(ended ? { target: { type: 'user', id: ended.userId } } : {}),
          details: {
            initiatedBy: app.id,
            sessionId: named.session_id,
            sessionEnded: ended !== undefined,
            toTell: chain?.remaining.map((t) => t.applicationId) ?? [],
          },
        }),
      );
      const next = chain ? (await advance(chain.id, null))?.next : await answerOf(answer);
      return { kind: 'signed_out', ended: session?.id === named.session_id, next: next ?? null };
    },

    /**
     * The user signed out at Vigil (their session already ended): where the browser goes to tell
     * the session's SAML applications, or null when none is to be told.
     */
    async signedOut(session: Pick<Session, 'id' | 'orgId' | 'userId'>): Promise<string | null> {
      const chain = await begin(session, null, null);
      if (!chain) return null;
      await withOrg(database, session.orgId, (tx) =>
        deps.audit(tx, {
          orgId: session.orgId,
          action: 'saml.logout',
          actor: { type: 'user', id: session.userId },
          target: { type: 'user', id: session.userId },
          details: {
            initiatedBy: null,
            sessionId: session.id,
            sessionEnded: true,
            toTell: chain.remaining.map((t) => t.applicationId),
          },
        }),
      );
      return `/saml/logout/${chain.id}`;
    },

    /** The first step of a logout begun at Vigil (`signedOut`). */
    async logoutStep(id: string): Promise<SamlOutcome> {
      const moved = await advance(id, null);
      return { kind: 'signed_out', ended: false, next: moved?.next ?? null };
    },
  };
}
