import { pairwiseIdentifier, randomToken } from '../crypto/index.ts';
import type { Session } from '../sessions/index.ts';
import type { ApplicationRow } from './applications.store.ts';
import type { AcsUrl, ApplicationSettings } from './applications-model.ts';
import { type SamlMessage, samlId } from './messages.ts';
import type { Assertion } from './response-xml.ts';

/** The pure decisions of a SAML sign-in: which ACS URL, which NameID, what is asserted. */

/** `AuthnContextClassRef` from how the session was proven (RFC 8176 `amr`). */
export function authnContextOf(amr: readonly string[]): string {
  if (amr.includes('mfa') || (amr.includes('pwd') && amr.some((m) => m === 'otp' || m === 'hwk')))
    return 'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract';
  if (amr.includes('pwd'))
    return 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
  return 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified';
}

const attributeNameFormat = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';

/** The user's NameID at an application, per its format. */
export function nameIdOf(app: ApplicationRow, user: { id: string; email: string }): string {
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

/** The ACS URL a request asks for, only when the application registered it. */
export function chosenAcs(
  settings: ApplicationSettings,
  header: { acsUrl: string | null; acsIndex: number | null },
): AcsUrl | undefined {
  if (header.acsUrl !== null) return settings.acsUrls.find((a) => a.url === header.acsUrl);
  if (header.acsIndex !== null) return settings.acsUrls.find((a) => a.index === header.acsIndex);
  return settings.acsUrls.find((a) => a.isDefault) ?? settings.acsUrls[0];
}

/** The RelayState to carry back (at most 1024 characters; SAML says 80, SPs send more). */
export const relayOf = (message: SamlMessage) => {
  const relay = message.fields.RelayState;
  return relay && relay.length <= 1024 ? relay : null;
};

/** What the signed-in user is asserted as at an application. */
export function assertionFor(
  settings: ApplicationSettings,
  user: { id: string; email: string; displayName: string; orgSlug: string; roles: string[] },
  session: Pick<Session, 'createdAt' | 'amr'>,
  ids: { nameId: string; sessionIndex: string; inResponseTo: string | null },
): Assertion {
  const source = {
    email: [user.email],
    displayName: [user.displayName],
    userId: [user.id],
    roles: user.roles,
    orgSlug: [user.orgSlug],
  };
  return {
    inResponseTo: ids.inResponseTo,
    nameId: ids.nameId,
    nameIdFormat: settings.nameIdFormat,
    sessionIndex: ids.sessionIndex,
    authnInstant: session.createdAt,
    authnContextClassRef: authnContextOf(session.amr),
    attributes: settings.attributeMapping.map((m) => ({
      name: m.name,
      nameFormat: m.nameFormat ?? attributeNameFormat,
      values: source[m.source],
    })),
    // Long enough for a slow browser to post it, short enough that a stolen one soon expires.
    lifetimeSeconds: 300,
  };
}
