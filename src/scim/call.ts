import { type AuditActor, type Database, type Tx, withOrg } from '../platform/index.ts';
import { scimErrors } from './errors.ts';
import { organization } from './users.store.ts';

/**
 * One authenticated SCIM request: the token's organization, the slug the URL named, who acts
 * (`{ type: 'scim_token', id, ip }`) and the organization's SCIM root URL for references.
 */
export interface ScimCall {
  orgId: string;
  orgSlug: string;
  actor: AuditActor;
  /** `<public URL>/scim/v2/<slug>` */
  base: string;
}

/**
 * Runs `work` in one transaction of the call's organization, after checking that the token's
 * organization is the one the URL names and is active: a token acts only in its organization
 * (anything else answers 401, as for an unknown token).
 */
export function inOrg<T>(database: Database, call: ScimCall, work: (tx: Tx) => Promise<T>) {
  return withOrg(database, call.orgId, async (tx) => {
    const org = await organization(tx, call.orgId);
    if (!org || org.slug !== call.orgSlug || org.status !== 'active')
      throw scimErrors.unauthorized();
    return work(tx);
  });
}
