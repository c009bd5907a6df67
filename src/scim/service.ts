import type { Database } from '../platform/index.ts';
import { inOrg, type ScimCall } from './call.ts';
import { createScimGroups, type ScimGroupsDeps } from './groups.ts';
import { createScimUsers, type ScimUsersDeps } from './users.ts';

/**
 * The SCIM service provider's use cases (docs/scim.md): the Users and Groups resources, and the
 * check of a call that reads no resource (the discovery endpoints), which still needs the token
 * to be of the organization the URL names.
 */
export function createScim(deps: ScimUsersDeps & ScimGroupsDeps & { database: Database }) {
  return {
    users: createScimUsers(deps),
    groups: createScimGroups(deps),
    /** Whether the call may act in the organization it names (throws 401 otherwise). */
    check: (call: ScimCall): Promise<void> => inOrg(deps.database, call, async () => {}),
  };
}

export type Scim = ReturnType<typeof createScim>;
