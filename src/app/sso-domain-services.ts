import { createSsoDomains } from '../federation/index.ts';
import { createOutbound, platformOrgId } from '../platform/index.ts';
import type { Core } from './core.ts';

/**
 * The email domains organizations claim for home-realm discovery (docs/sso.md#home-realm-
 * discovery-and-domains): their verification files are signed with the platform's Ed25519 key
 * and fetched through the outbound client's SSRF guard (a domain is the administrator's input).
 */
export function ssoDomainsOf(core: Core) {
  return createSsoDomains({
    database: core.database,
    audit: core.audit.record,
    clock: core.clock,
    keys: core.keys,
    outbound: createOutbound({ allow: core.config.VIGIL_OUTBOUND_ALLOW }),
    platformOrgId,
  });
}
