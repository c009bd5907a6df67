import {
  createConnections,
  createFederation,
  createOidcRelyingParty,
  createSamlProtocol,
  type FederatedSignIn,
  type FederationProtocol,
  type SamlKeySource,
  samlSpKeysOf,
} from '../federation/index.ts';
import { createOutbound, platformOrgId } from '../platform/index.ts';
import type { Core } from './core.ts';

/**
 * Upstream federation (docs/sso.md#connecting-your-identity-provider): the organizations'
 * connections, the SAML SP and OIDC RP protocols, and the sign-in that hands their identities to
 * the sign-in flow. Metadata URLs and OIDC providers are reached through the outbound client's
 * SSRF guard; SAML requests are signed, and assertions decrypted, with the organization's SAML
 * keys (the saml module's).
 */
export function federationServices(
  core: Core,
  deps: { signIn: FederatedSignIn; samlKeys?: SamlKeySource },
) {
  const publicUrl = core.config.VIGIL_PUBLIC_URL;
  const outbound = () => createOutbound({ allow: core.config.VIGIL_OUTBOUND_ALLOW });
  const protocols: FederationProtocol[] = [
    createSamlProtocol({
      publicUrl,
      clock: core.clock,
      keys: samlSpKeysOf(core.database, deps.samlKeys),
    }),
    createOidcRelyingParty({ outbound: outbound(), publicUrl, clock: core.clock }),
  ];
  const ssoConnections = createConnections({
    keyring: core.keyring,
    audit: core.audit.record,
    clock: core.clock,
    outbound,
    publicUrl,
    protocolOf: (protocol) => protocols.find((p) => p.protocol === protocol),
  });
  const federation = createFederation({
    database: core.database,
    audit: core.audit,
    keyring: core.keyring,
    clock: core.clock,
    platformOrgId,
    publicUrl,
    connections: ssoConnections,
    protocols,
    signIn: deps.signIn,
    samlKeys: deps.samlKeys,
  });
  return { ssoConnections, federation };
}
