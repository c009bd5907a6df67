export { type DiscoveredProvider, issuerUrl } from './discovery.ts';
export { oidcRpErrors } from './errors.ts';
export { defaultMfaValues, identityFromClaims } from './identity.ts';
export {
  createOidcRelyingParty,
  defaultOidcScopes,
  type OidcRelyingParty,
  type OidcRelyingPartyDeps,
  scopesOf,
} from './relying-party.ts';
