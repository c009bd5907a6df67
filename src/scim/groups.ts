import { type Database, isUuid, newId, type Tx } from '../platform/index.ts';
import { inOrg, type ScimCall } from './call.ts';
import { scimErrors } from './errors.ts';
import { createGroupChanges, type GroupChangeDeps, membersExactly } from './group-changes.ts';
import { groupInputOf, groupPatchOf } from './groups.patch.ts';
import {
  groupFilterAttributes,
  groupResource,
  type ScimGroupView,
  wantsMembers,
} from './groups.resource.ts';
import * as store from './groups.store.ts';
import { ifMatchAllows, versionOf } from './protocol/etag.ts';
import { parseFilter } from './protocol/filter.ts';
import type { ListRequest } from './protocol/list-request.ts';
import { type JsonObject, scimSchemas } from './protocol/schemas.ts';

export type { SyncUsers } from './group-changes.ts';

export interface ScimGroupsDeps extends GroupChangeDeps {
  database: Database;
}

/** A Group answer: the resource (before projection) and its version (the ETag header). */
export interface ScimGroupAnswer {
  resource: JsonObject;
  version: string;
}

const viewOfRow = (row: store.GroupRow): Omit<ScimGroupView, 'members'> => ({
  id: row.id,
  displayName: row.display_name,
  externalId: row.external_id,
  created: row.created_at,
  lastModified: row.updated_at,
});

/** Each group's members, read for all of them at once. */
async function membersByGroup(tx: Tx, groupIds: string[]) {
  const byGroup = new Map<string, { value: string; display: string }[]>();
  for (const m of await store.membersOf(tx, groupIds)) {
    const list = byGroup.get(m.group_id) ?? [];
    list.push({ value: m.user_id, display: m.display_name });
    byGroup.set(m.group_id, list);
  }
  return byGroup;
}

/**
 * The SCIM Groups resource (docs/scim.md#groups): groups the directory pushes and their members,
 * users of the same organization. Each request is one transaction in the token's organization;
 * a membership change is audited with the users added and removed and, in the same transaction,
 * gives those users the roles their groups map to (docs/scim.md#groups-and-roles); deleting a
 * group takes its roles from its members.
 */
export function createScimGroups(deps: ScimGroupsDeps) {
  const changes = createGroupChanges(deps);

  async function answer(
    tx: Tx,
    call: ScimCall,
    row: store.GroupRow,
    withMembers = true,
  ): Promise<ScimGroupAnswer> {
    const members = withMembers ? ((await membersByGroup(tx, [row.id])).get(row.id) ?? []) : null;
    return {
      resource: groupResource({ ...viewOfRow(row), members }, call.base),
      version: versionOf(row.updated_at),
    };
  }

  /** The group to change, locked, once the If-Match (if any) matches its version. */
  async function groupToChange(tx: Tx, id: string, ifMatch: string | undefined) {
    const row = isUuid(id) ? await store.groupForUpdate(tx, id) : undefined;
    if (!row) throw scimErrors.groupNotFound({ id });
    const version = versionOf(row.updated_at);
    if (!ifMatchAllows(ifMatch, version)) throw scimErrors.versionMismatch({ version });
    return row;
  }

  return {
    /** POST /Groups. */
    create(call: ScimCall, body: unknown): Promise<ScimGroupAnswer> {
      const input = groupInputOf(body);
      return inOrg(deps.database, call, async (tx) => {
        const now = deps.clock.now();
        const row: store.GroupRow = {
          id: newId(now.getTime()),
          org_id: call.orgId,
          display_name: input.displayName,
          external_id: input.externalId,
          created_at: now,
          updated_at: now,
        };
        await changes.create(tx, row, input.memberIds, call.actor);
        return answer(tx, call, row);
      });
    },

    /** GET /Groups/{id}; without members when the client leaves them out (Entra does). */
    get(call: ScimCall, id: string, options: { members: boolean }): Promise<ScimGroupAnswer> {
      return inOrg(deps.database, call, async (tx) => {
        const row = isUuid(id) ? await store.findGroup(tx, id) : undefined;
        if (!row) throw scimErrors.groupNotFound({ id });
        return answer(tx, call, row, options.members);
      });
    },

    /** PUT /Groups/{id}: every writable attribute replaced; members left out means none. */
    replace(call: ScimCall, id: string, body: unknown, ifMatch?: string) {
      const input = groupInputOf(body);
      return inOrg(deps.database, call, async (tx) => {
        const row = await groupToChange(tx, id, ifMatch);
        const next = { ...input, members: membersExactly(input.memberIds) };
        await changes.update(tx, row, next, call.actor);
        return answer(tx, call, row);
      });
    },

    /** PATCH /Groups/{id}: the operations read by groups.patch.ts, applied net. */
    patch(call: ScimCall, id: string, body: unknown, ifMatch?: string) {
      return inOrg(deps.database, call, async (tx) => {
        const row = await groupToChange(tx, id, ifMatch);
        const plan = groupPatchOf(body, row.id);
        const next = {
          displayName: plan.displayName ?? row.display_name,
          externalId: plan.externalId === undefined ? row.external_id : plan.externalId,
          members: plan.members,
        };
        await changes.update(tx, row, next, call.actor);
        return answer(tx, call, row);
      });
    },

    /** DELETE /Groups/{id}: its members lose the roles it gave them. */
    remove(call: ScimCall, id: string, ifMatch?: string): Promise<void> {
      return inOrg(deps.database, call, async (tx) => {
        await changes.remove(tx, await groupToChange(tx, id, ifMatch), call.actor);
      });
    },

    /** GET /Groups: a page of the groups the filter selects, in creation order. */
    list(call: ScimCall, request: ListRequest) {
      const filter =
        request.filter === undefined
          ? null
          : parseFilter(request.filter, groupFilterAttributes, scimSchemas.group);
      const withMembers = wantsMembers(request);
      return inOrg(deps.database, call, async (tx) => {
        const page = await store.groupsPage(tx, filter, request.startIndex - 1, request.count);
        const members = withMembers
          ? await membersByGroup(
              tx,
              page.rows.map((row) => row.id),
            )
          : null;
        const resources = page.rows.map((row) =>
          groupResource(
            { ...viewOfRow(row), members: members ? (members.get(row.id) ?? []) : null },
            call.base,
          ),
        );
        return { resources, total: page.total };
      });
    },
  };
}

export type ScimGroups = ReturnType<typeof createScimGroups>;
