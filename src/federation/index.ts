export {
  createSsoCertificates,
  type SsoCertificate,
  type SsoCertificates,
} from './certificates.ts';
export { type Connections, createConnections, ssoClientSecretColumn } from './connections.ts';
export {
  attributeMappingSchema,
  type ConnectionCertificate,
  type ConnectionInput,
  type ConnectionUpdate,
  certificateInputSchema,
  connectionInputSchema,
  connectionUpdateSchema,
  type SsoConnectionView,
  serviceProviderUrls,
} from './connections-model.ts';
export { domainErrors } from './domains/errors.ts';
export {
  domainInputSchema,
  domainUpdateSchema,
  type SsoDomain,
  verificationPath,
  verifyInputSchema,
} from './domains/model.ts';
export { createSsoDomains, type SsoDomains, type SsoDomainsDeps } from './domains/service.ts';
export { federationErrors } from './errors.ts';
export {
  createOidcRelyingParty,
  type OidcRelyingParty,
  type OidcRelyingPartyDeps,
  oidcRpErrors,
} from './oidc-rp/index.ts';
export type {
  AttributeMapping,
  Connection,
  Departure,
  FederationProtocol,
  PendingUpstream,
  UpstreamAnswer,
  UpstreamIdentity,
} from './protocol.ts';
export {
  clockSkewMs,
  createSamlProtocol,
  parseIdpMetadata,
  type SamlSpKeys,
  spMetadataXml,
} from './saml-sp/index.ts';
export {
  createFederation,
  type FederatedSignIn,
  type FederatedSignInInput,
  type Federation,
  type FederationDeps,
  requestMinutes,
  type SamlKeySource,
  samlSpKeysOf,
  ssoRequestSecretColumn,
} from './service.ts';
