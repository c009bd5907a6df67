import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  isUuid,
  newId,
  type Tx,
  withOrg,
} from '../platform/index.ts';
import { scimErrors } from './errors.ts';
import {
  type GroupPatchPlan,
  groupInputOf,
  groupPatchOf,
  replacedMembers,
} from './groups.patch.ts';
import * as store from './groups.store.ts';

/**
 * Gives the users whose group membership changed the roles their groups now map to (H2's
 * group-roles `syncUsers`), in the transaction of the change.
 */
export type SyncUsers = (
  tx: Tx,
  orgId: string,
  userIds: string[],
  actor: AuditActor,
) => Promise<void>;

export interface ScimGroupsDeps {
  audit: AuditWriter;
  clock: Clock;
  database: Database;
  syncUsers: SyncUsers;
}

/** A group as the SCIM resource shows it; `members` is null when the caller left them out. */
export interface ScimGroupView {
  id: string;
  displayName: string;
  externalId: string | null;
  members: { value: string; display: string }[] | null;
  created: Date;
  lastModified: Date;
}

/** The version in `meta.version` and the ETag: the last change, in milliseconds. */
export const groupVersion = (lastModified: Date): string => `W/"${lastModified.getTime()}"`;

/** What a list asks for: the filter as SQL (from the filter's translation), and the page. */
export interface GroupListing {
  where: Parameters<typeof store.groupsPage>[1];
  /** 1-based, as SCIM counts. */
  startIndex: number;
  count: number;
  members: boolean;
}

const targetOf = (id: string) => ({ type: 'scim_group', id });

/**
 * The SCIM Groups resource (docs/scim.md#groups): groups the directory pushes, and their
 * members, which must be users of the same organization. A membership change is audited with
 * the users added and removed and, in the same transaction, gives those users the roles their
 * groups map to (docs/scim.md#groups-and-roles); deleting a group takes its roles from its members.
 */
export function createScimGroups(deps: ScimGroupsDeps) {
  const { audit, clock } = deps;

  /** A change's time, always after the last one, so that every change gives a new version. */
  const changedAt = (previous: Date) =>
    new Date(Math.max(clock.now().getTime(), previous.getTime() + 1));

  async function viewOf(tx: Tx, row: store.GroupRow, withMembers: boolean): Promise<ScimGroupView> {
    const members = withMembers ? await store.membersOf(tx, [row.id]) : null;
    return {
      id: row.id,
      displayName: row.display_name,
      externalId: row.external_id,
      members: members?.map((m) => ({ value: m.user_id, display: m.display_name })) ?? null,
      created: row.created_at,
      lastModified: row.updated_at,
    };
  }

  /** Refuses members that are not users SCIM sees in the organization (400 invalidValue). */
  async function checkMembers(tx: Tx, orgId: string, ids: Set<string>): Promise<void> {
    const wanted = [...ids];
    const known = await store.visibleUsers(tx, orgId, wanted);
    const unknown = wanted.filter((id) => !known.has(id));
    if (unknown.length === 0) return;
    const groups = await store.groupsAmong(tx, unknown);
    const shown = unknown.slice(0, 5).join(', ') + (unknown.length > 5 ? ', …' : '');
    throw scimErrors.invalidValue({
      detail:
        groups.size > 0
          ? `members: groups cannot be members of a group (${[...groups][0]})`
          : `members: no user of this organization has the id ${shown}`,
    });
  }

  /** Applies a member change (one insert, one delete); returns who joined and who left. */
  async function changeMembers(
    tx: Tx,
    orgId: string,
    groupId: string,
    change: GroupPatchPlan['members'],
    at: Date,
  ): Promise<{ added: string[]; removed: string[] }> {
    const replacement = replacedMembers({ members: change });
    let toAdd = [...change.add];
    let toRemove = [...change.remove];
    if (replacement) {
      await checkMembers(tx, orgId, replacement);
      const current = new Set(await store.memberIds(tx, groupId));
      toAdd = [...replacement].filter((id) => !current.has(id));
      toRemove = [...current].filter((id) => !replacement.has(id));
    } else {
      await checkMembers(tx, orgId, change.add);
    }
    const added = await store.addMembers(tx, orgId, groupId, toAdd, at);
    const removed = await store.removeMembers(tx, groupId, toRemove);
    return { added, removed };
  }

  /** Audits who joined and left, and gives them the roles their groups now map to. */
  async function membersChanged(
    tx: Tx,
    orgId: string,
    group: { id: string; displayName: string },
    moved: { added: string[]; removed: string[] },
    actor: AuditActor,
  ): Promise<void> {
    if (moved.added.length === 0 && moved.removed.length === 0) return;
    await audit(tx, {
      orgId,
      action: 'scim.group.members_changed',
      actor,
      target: targetOf(group.id),
      details: { displayName: group.displayName, added: moved.added, removed: moved.removed },
    });
    await deps.syncUsers(tx, orgId, [...moved.added, ...moved.removed], actor);
  }

  /** The group locked for a change, after its version matched `ifMatch` when one was sent. */
  async function lockedGroup(tx: Tx, id: string, ifMatch: string | undefined) {
    const row = isUuid(id) ? await store.groupForUpdate(tx, id) : undefined;
    if (!row) throw scimErrors.groupNotFound({ id });
    if (ifMatch !== undefined && !versionMatches(ifMatch, groupVersion(row.updated_at)))
      throw scimErrors.versionMismatch({ version: groupVersion(row.updated_at) });
    return row;
  }

  /** Saves new attribute values and member changes of a locked group, audited. */
  async function update(
    tx: Tx,
    orgId: string,
    row: store.GroupRow,
    next: { displayName: string; externalId: string | null; members: GroupPatchPlan['members'] },
    actor: AuditActor,
  ): Promise<ScimGroupView> {
    const at = changedAt(row.updated_at);
    const moved = await changeMembers(tx, orgId, row.id, next.members, at);
    const changes: Record<string, { before: string | null; after: string | null }> = {};
    if (next.displayName !== row.display_name)
      changes.displayName = { before: row.display_name, after: next.displayName };
    if (next.externalId !== row.external_id)
      changes.externalId = { before: row.external_id, after: next.externalId };
    const changed = Object.keys(changes).length > 0;
    if (changed || moved.added.length > 0 || moved.removed.length > 0) {
      const saved = {
        display_name: next.displayName,
        external_id: next.externalId,
        updated_at: at,
      };
      await store.updateGroup(tx, row.id, saved);
      Object.assign(row, saved);
    }
    if (changed)
      await audit(tx, {
        orgId,
        action: 'scim.group.updated',
        actor,
        target: targetOf(row.id),
        details: changes,
      });
    await membersChanged(tx, orgId, { id: row.id, displayName: row.display_name }, moved, actor);
    return viewOf(tx, row, true);
  }

  return {
    /** POST /Groups. */
    create: (orgId: string, body: unknown, actor: AuditActor): Promise<ScimGroupView> =>
      withOrg(deps.database, orgId, async (tx) => {
        const input = groupInputOf(body);
        const now = clock.now();
        const row: store.GroupRow = {
          id: newId(now.getTime()),
          org_id: orgId,
          display_name: input.displayName,
          external_id: input.externalId,
          created_at: now,
          updated_at: now,
        };
        await store.insertGroup(tx, row);
        await audit(tx, {
          orgId,
          action: 'scim.group.created',
          actor,
          target: targetOf(row.id),
          details: { displayName: row.display_name, externalId: row.external_id },
        });
        const members = {
          replaceWith: new Set(input.memberIds),
          add: new Set<string>(),
          remove: new Set<string>(),
        };
        const moved = await changeMembers(tx, orgId, row.id, members, now);
        await membersChanged(
          tx,
          orgId,
          { id: row.id, displayName: row.display_name },
          moved,
          actor,
        );
        return viewOf(tx, row, true);
      }),

    /** GET /Groups/{id}; `members: false` for `excludedAttributes=members` (Entra asks so). */
    get: (orgId: string, id: string, options: { members: boolean }): Promise<ScimGroupView> =>
      withOrg(deps.database, orgId, async (tx) => {
        const row = isUuid(id) ? await store.findGroup(tx, id) : undefined;
        if (!row) throw scimErrors.groupNotFound({ id });
        return viewOf(tx, row, options.members);
      }),

    /** PUT /Groups/{id}: every writable attribute replaced; members left out means none. */
    replace: (orgId: string, id: string, body: unknown, actor: AuditActor, ifMatch?: string) =>
      withOrg(deps.database, orgId, async (tx) => {
        const input = groupInputOf(body);
        const row = await lockedGroup(tx, id, ifMatch);
        const members = {
          replaceWith: new Set(input.memberIds),
          add: new Set<string>(),
          remove: new Set<string>(),
        };
        return update(tx, orgId, row, { ...input, members }, actor);
      }),

    /** PATCH /Groups/{id} (groups.patch.ts reads the operations). */
    patch: (orgId: string, id: string, body: unknown, actor: AuditActor, ifMatch?: string) =>
      withOrg(deps.database, orgId, async (tx) => {
        const row = await lockedGroup(tx, id, ifMatch);
        const plan = groupPatchOf(body, row.id);
        return update(
          tx,
          orgId,
          row,
          {
            displayName: plan.displayName ?? row.display_name,
            externalId: plan.externalId === undefined ? row.external_id : plan.externalId,
            members: plan.members,
          },
          actor,
        );
      }),

    /** DELETE /Groups/{id}: its members lose the roles it gave them. */
    remove: (orgId: string, id: string, actor: AuditActor, ifMatch?: string): Promise<void> =>
      withOrg(deps.database, orgId, async (tx) => {
        const row = await lockedGroup(tx, id, ifMatch);
        const former = await store.memberIds(tx, row.id);
        await store.deleteGroup(tx, row.id);
        await audit(tx, {
          orgId,
          action: 'scim.group.deleted',
          actor,
          target: targetOf(row.id),
          details: { displayName: row.display_name, externalId: row.external_id, members: former },
        });
        if (former.length > 0) await deps.syncUsers(tx, orgId, former, actor);
      }),

    /** GET /Groups: one page of the groups matching the filter, and how many match in all. */
    list: (orgId: string, listing: GroupListing) =>
      withOrg(deps.database, orgId, async (tx) => {
        const page = await store.groupsPage(
          tx,
          listing.where,
          listing.startIndex - 1,
          listing.count,
        );
        const members = listing.members
          ? await store.membersOf(
              tx,
              page.rows.map((r) => r.id),
            )
          : [];
        const groups = page.rows.map(
          (row): ScimGroupView => ({
            id: row.id,
            displayName: row.display_name,
            externalId: row.external_id,
            members: listing.members
              ? members
                  .filter((m) => m.group_id === row.id)
                  .map((m) => ({ value: m.user_id, display: m.display_name }))
              : null,
            created: row.created_at,
            lastModified: row.updated_at,
          }),
        );
        return { total: page.total, groups };
      }),

    /**
     * The read-only `groups` of SCIM Users, for the users' use cases (in their transaction):
     * each user's groups as `{ value, display }`.
     */
    async groupsOfUsers(tx: Tx, userIds: string[]) {
      const rows = await store.groupsOfUsers(tx, userIds);
      const byUser = new Map<string, { value: string; display: string; type: 'direct' }[]>();
      for (const row of rows) {
        const list = byUser.get(row.user_id) ?? [];
        list.push({ value: row.group_id, display: row.display_name, type: 'direct' });
        byUser.set(row.user_id, list);
      }
      return byUser;
    },
  };
}

export type ScimGroups = ReturnType<typeof createScimGroups>;

/** Whether an `If-Match` header (`*` or a list of ETags) names this version. */
function versionMatches(ifMatch: string, version: string): boolean {
  const tags = ifMatch.split(',').map((tag) => tag.trim());
  const bare = (tag: string) => tag.replace(/^W\//, '');
  return tags.some((tag) => tag === '*' || bare(tag) === bare(version));
}
