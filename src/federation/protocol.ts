import type { SsoProtocol, SsoProvisioning } from '../platform/index.ts';

/**
 * An organization's upstream identity provider as the protocols see it (an `sso_connections`
 * row, its secrets opened, its certificates listed). docs/sso.md#connections.
 */
export interface Connection {
  id: string;
  orgId: string;
  name: string;
  protocol: SsoProtocol;
  enabled: boolean;
  provisioning: SsoProvisioning;
  /** Which upstream attribute or claim holds the email, the display name and the MFA proof. */
  attributeMapping: AttributeMapping;
  saml: {
    idpEntityId: string;
    idpSsoUrl: string;
    idpSloUrl: string | null;
    metadataUrl: string | null;
    /** The IdP's signing certificates (PEM), every one that may sign now (rollover). */
    certificates: string[];
  } | null;
  oidc: {
    issuer: string;
    clientId: string;
    /** Opened from the keyring only when the protocol needs it. */
    clientSecret: () => Promise<string | null>;
    scopes: string[];
  } | null;
}

export interface AttributeMapping {
  /** Attribute (SAML) or claim (OIDC) holding the email; the NameID / `email` claim if unset. */
  email?: string;
  displayName?: string;
  /**
   * Where the upstream says it used a second factor: a SAML AuthnContextClassRef or OIDC `amr`
   * / `acr` value list that counts as MFA (docs/sso.md#mfa).
   */
  mfaValues?: string[];
}

/** What an upstream IdP proved about a person once every check of its protocol passed. */
export interface UpstreamIdentity {
  /** The upstream's stable identifier (SAML NameID, OIDC `sub`). */
  subject: string;
  email: string | null;
  displayName: string | null;
  /** Whether the upstream proved a second factor (per the mapping's `mfaValues`). */
  mfa: boolean;
  /** SAML assertion ID or OIDC ID token `jti`/hash: names the proof in the audit event. */
  reference: string;
  /** Every attribute or claim received, values as strings (for the audit details). */
  attributes: Record<string, string[]>;
}

/** Where a federated sign-in sends the browser: a redirect, or a self-posting form. */
export type Departure =
  | { kind: 'redirect'; location: string }
  | { kind: 'form'; action: string; fields: Record<string, string> };

/** A request in flight at the upstream (an `sso_requests` row). */
export interface PendingUpstream {
  /** SAML AuthnRequest ID, OIDC `state`. */
  correlation: string;
  /** What only Vigil knows and the answer must match (OIDC PKCE verifier and nonce). */
  secret: string | null;
  /**
   * Vigil asked for a fresh authentication (ForceAuthn, prompt=login) at this time: the answer
   * must show the user authenticated since (AuthnInstant, auth_time). Absent: any session will
   * do.
   */
  freshSince?: Date | null;
}

/** How a sign-in is asked of the upstream. */
export interface StartOptions {
  /** The user must authenticate afresh, not from the upstream's session. */
  fresh: boolean;
}

/**
 * One upstream protocol (src/federation/saml-sp, src/federation/oidc-rp): how to send a browser
 * to the IdP, and how to turn its answer into an identity, refusing anything forged, replayed,
 * expired or addressed elsewhere with `federationErrors.*`.
 */
export interface FederationProtocol {
  readonly protocol: SsoProtocol;
  /**
   * Checks a connection's settings against the upstream when it is created or changed (OIDC:
   * the issuer's discovery document answers and names the same issuer); throws a
   * `federationErrors.*` saying what is wrong.
   */
  verifyConfiguration?(connection: Connection): Promise<void>;
  /** Builds the request: the departure and what to keep until the answer comes back. */
  start(
    connection: Connection,
    options?: StartOptions,
  ): Promise<{ departure: Departure; pending: PendingUpstream }>;
  /** The correlation an answer names (SAML InResponseTo, OIDC `state`), before it is checked. */
  correlationOf(answer: UpstreamAnswer): string | null;
  /** Checks the answer against the connection and the pending request. */
  complete(
    connection: Connection,
    answer: UpstreamAnswer,
    pending: PendingUpstream,
  ): Promise<UpstreamIdentity>;
}

/** What came back to the callback URL: the query (redirect) and the form body (POST). */
export interface UpstreamAnswer {
  url: string;
  query: Record<string, string>;
  body: Record<string, string>;
}
