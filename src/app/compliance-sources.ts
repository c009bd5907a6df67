import type {
  AccessSources,
  AuthenticationSources,
  CheckSources,
  OperationsSources,
} from '../compliance/index.ts';
import type { Core } from './core.ts';

/**
 * The services the compliance checks read (src/compliance/controls/sources.ts), taken from the
 * wired domain services (src/app/services.ts builds compliance last, with everything it needs).
 */
// biome-ignore lint/complexity/noBannedTypes: each area adds the services it reads
export type ComplianceSourceServices = {};

function authenticationSources(_services: ComplianceSourceServices): AuthenticationSources {
  return {};
}

function accessSources(_services: ComplianceSourceServices): AccessSources {
  return {};
}

function operationsSources(_core: Core, _services: ComplianceSourceServices): OperationsSources {
  return {};
}

export function complianceSources(core: Core, services: ComplianceSourceServices): CheckSources {
  return {
    config: core.config,
    databaseKind: core.database.kind,
    ...authenticationSources(services),
    ...accessSources(services),
    ...operationsSources(core, services),
  };
}
