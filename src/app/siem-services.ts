import { createOutbound, platformOrgId } from '../platform/index.ts';
import { createSiemRunner, createSiemStreams } from '../siem/index.ts';
import type { Core } from './core.ts';

/**
 * SIEM streams (docs/siem.md): the settings service and the sender the server repeats (`vigil
 * siem run` runs one round). Every connection goes through the outbound client's SSRF guard; a
 * stream's own CA certificates are trusted besides the system's, for its calls only.
 */
export function siemServices(core: Core) {
  const outbound = (ca?: string[]) =>
    createOutbound({ allow: core.config.VIGIL_OUTBOUND_ALLOW, ca });
  const shared = {
    database: core.database,
    keyring: core.keyring,
    clock: core.clock,
    outbound,
    platformOrgId,
  };
  return {
    siemStreams: createSiemStreams({ ...shared, audit: core.audit.record }),
    siemRunner: createSiemRunner({
      ...shared,
      logger: core.logger,
      hostname: new URL(core.config.VIGIL_PUBLIC_URL).hostname,
    }),
  };
}
