import type { Config } from '../../platform/index.ts';
import type { AccessSources } from './checks/access.sources.ts';
import type { AuthenticationSources } from './checks/authentication.sources.ts';
import type { OperationsSources } from './checks/operations.sources.ts';

/**
 * What the live checks read besides their own queries: the services of lower tiers (policies,
 * directory, keys), passed in by the app (src/app/compliance-sources.ts), one interface per area
 * of the catalog.
 */
export interface CheckSources extends AuthenticationSources, AccessSources, OperationsSources {
  config: Config;
  databaseKind: 'pglite' | 'postgres';
}
