import { isUuid, type Tx } from '../platform/index.ts';
import { reviewErrors } from './errors.ts';
import type { ReviewerCandidates, SnapshotItem, SubjectView } from './model.ts';
import { activeUsersAmong } from './store.ts';

/** A live grant (oidc-provider consent) given to a client, with the user who gave it. */
export interface ClientGrant {
  id: string;
  accountId: string;
  payload: Record<string, unknown>;
}

/** What a `client_users` snapshot reads through the OAuth service. */
export interface ClientSources {
  /** The client if the caller's (organization's) transaction sees it: its own clients only. */
  oauthClient(tx: Tx, clientId: string): Promise<{ id: string; orgId: string } | undefined>;
  /** The client's live grants, of the organization's users only (the provider store's policy). */
  clientGrants(tx: Tx, clientId: string): Promise<ClientGrant[]>;
}

/**
 * The scopes a grant gives its client: its OpenID scopes and those of each resource server (API)
 * it reaches. A grant records them as space-separated strings (`openid.scope`,
 * `resources[audience]`).
 */
export function grantedScopes(payload: Record<string, unknown>): {
  scopes: string[];
  reachesApi: boolean;
} {
  const openid = payload.openid as { scope?: unknown } | undefined;
  const resources = (payload.resources ?? {}) as Record<string, unknown>;
  const strings = [openid?.scope, ...Object.values(resources)];
  const scopes = strings.flatMap((s) => (typeof s === 'string' ? s.split(' ') : []));
  return {
    scopes: scopes.filter(Boolean),
    reachesApi: Object.keys(resources).length > 0,
  };
}

/**
 * The items of a `client_users` campaign: one per active user of the organization holding a
 * live grant to the client, its permissions the scopes granted (over all of the user's grants to
 * it; held since the first). Privileged when the user holds a privileged role and the client
 * can act on it: the grant releases the user's roles (`roles` scope) or gives access tokens for an
 * API, which (like the admin API) authorizes by the user's permissions.
 */
export async function clientUserItems(
  tx: Tx,
  sources: ClientSources,
  orgId: string,
  clientId: string | undefined,
  view: SubjectView,
): Promise<{ item: SnapshotItem; candidates: ReviewerCandidates }[]> {
  const client = clientId ? await sources.oauthClient(tx, clientId) : undefined;
  if (!clientId || client?.orgId !== orgId)
    throw reviewErrors.campaignInvalid({
      field: 'scope.clientId',
      problem: 'an OAuth client of the organization',
    });
  const byUser = new Map<string, { scopes: Set<string>; since: Date; reachesApi: boolean }>();
  for (const grant of await sources.clientGrants(tx, clientId)) {
    if (!isUuid(grant.accountId)) continue;
    const { scopes, reachesApi } = grantedScopes(grant.payload);
    const given = new Date(Number(grant.payload.iat ?? 0) * 1000);
    const held = byUser.get(grant.accountId);
    if (!held) byUser.set(grant.accountId, { scopes: new Set(scopes), since: given, reachesApi });
    else {
      for (const s of scopes) held.scopes.add(s);
      if (given < held.since) held.since = given;
      held.reachesApi ||= reachesApi;
    }
  }
  const users = await activeUsersAmong(tx, orgId, [...byUser.keys()]);
  return users.flatMap((u) => {
    const held = byUser.get(u.id);
    if (!held) return [];
    const permissions = [...held.scopes].sort();
    const actsOnRoles = permissions.includes('roles') || held.reachesApi;
    const subject = { userId: u.id, createdAt: u.created_at, endAt: u.end_at, externalId: null };
    const item: SnapshotItem = {
      subjectUserId: u.id,
      subjectEmail: u.email,
      subjectName: u.display_name,
      roleKey: null,
      apiKeyId: null,
      apiKeyName: null,
      clientId,
      permissions,
      heldSince: held.since,
      // A consent is given by the user themself.
      grantedBy: u.id,
      source: 'admin' as const,
      lastSignInAt: view.lastSignIns.get(u.id) ?? null,
      mfaEnrolled: view.enrolled.has(u.id),
      flags: view.flagsOf(subject, false),
      privileged: actsOnRoles && (view.holders.get(u.id) ?? []).some((r) => r.privileged),
    };
    return [{ item, candidates: view.candidatesOf(null, u.manager_id) }];
  });
}
