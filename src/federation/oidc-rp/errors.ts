import { defineErrors } from '../../platform/index.ts';

/**
 * Why an OIDC connection's settings or an answer of its upstream provider were refused
 * (docs/sso.md#oidc). Configuration problems are the administrator's to fix (400); a refused
 * sign-in is the browser's (401) and never says more than which check failed.
 */
export const oidcRpErrors = defineErrors({
  issuerInvalid: {
    code: 'sso.oidc_issuer_invalid',
    kind: 'invalid',
    message: 'oidc.issuer: {problem}',
    meaning:
      'An OIDC connection named an issuer that is not an absolute http(s) URL without credentials, query or fragment.',
  },
  issuerNotAllowed: {
    code: 'sso.oidc_issuer_not_allowed',
    kind: 'invalid',
    message: 'The OIDC provider at {url} may not be reached: {problem}',
    meaning:
      'An OIDC connection points at a private, loopback or link-local address, or at plain http, that VIGIL_OUTBOUND_ALLOW does not allow (SSRF guard).',
  },
  issuerUnreachable: {
    code: 'sso.oidc_issuer_unreachable',
    kind: 'invalid',
    message: 'The OIDC provider at {url} could not be reached: {problem}',
    meaning:
      "The issuer's discovery document (/.well-known/openid-configuration) could not be fetched: the name does not resolve, the connection failed or timed out, or the provider's TLS certificate is not trusted.",
  },
  discoveryInvalid: {
    code: 'sso.oidc_discovery_invalid',
    kind: 'invalid',
    message: 'The discovery document of {issuer} is not usable: {problem}',
    meaning:
      'The discovery document answered with an error status, is not JSON, or lacks what an authorization code flow with PKCE S256 needs (authorization, token and JWKS endpoints).',
  },
  issuerMismatch: {
    code: 'sso.oidc_issuer_mismatch',
    kind: 'invalid',
    message: 'The discovery document of {issuer} names another issuer: {named}',
    meaning:
      'The discovery document names an issuer other than the one configured: configure exactly the issuer it names (trailing slash included).',
  },
  clientAuthUnsupported: {
    code: 'sso.oidc_client_auth_unsupported',
    kind: 'invalid',
    message: 'The provider supports none of client_secret_basic and client_secret_post',
    meaning:
      'A client secret was given, but the discovery document lists neither client_secret_basic nor client_secret_post among the token endpoint authentication methods.',
  },
  clientRejected: {
    code: 'sso.oidc_client_rejected',
    kind: 'invalid',
    message: 'The provider refused the client: {problem}',
    meaning:
      "The provider's token endpoint refused the client ID and secret (invalid_client), or the client may not use the authorization code grant (unauthorized_client).",
  },
  upstreamRefused: {
    code: 'sso.oidc_upstream_refused',
    kind: 'unauthenticated',
    message: 'The identity provider did not sign you in ({error})',
    meaning:
      'The provider answered the sign-in with an error (access_denied when the person cancelled or is not assigned to the application, login_required, …).',
  },
  stateMismatch: {
    code: 'sso.oidc_state_mismatch',
    kind: 'unauthenticated',
    message: 'The answer does not belong to this sign-in',
    meaning:
      "The callback's state is missing or is not the one this sign-in sent (a forged or misdirected answer).",
  },
  responseInvalid: {
    code: 'sso.oidc_response_invalid',
    kind: 'unauthenticated',
    message: 'The answer of the identity provider was refused: {problem}',
    meaning:
      'The authorization response lacks a code, or names another issuer (iss, RFC 9207), or the token endpoint refused the code (expired, already used, or its PKCE verifier does not match).',
  },
  idTokenInvalid: {
    code: 'sso.oidc_id_token_invalid',
    kind: 'unauthenticated',
    message: 'The ID token was refused: {problem}',
    meaning:
      "The ID token is missing, or failed a check: signature against the provider's JWKS, issuer, audience, nonce, expiry or issue time; or the UserInfo answer names another subject.",
  },
  upstreamUnavailable: {
    code: 'sso.oidc_upstream_unavailable',
    kind: 'unavailable',
    message: 'The identity provider could not be reached',
    meaning:
      'The provider did not answer a sign-in in time (discovery, token or JWKS endpoint), or its address is refused by the SSRF guard; the log names the cause.',
  },
  pendingInvalid: {
    code: 'sso.oidc_pending_invalid',
    kind: 'unauthenticated',
    message: 'The sign-in has no PKCE verifier and nonce',
    meaning:
      'The waiting request of an OIDC sign-in does not carry the PKCE verifier and nonce that start() kept (not an OIDC request).',
  },
});
