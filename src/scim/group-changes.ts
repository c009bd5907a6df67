import type { AuditActor, AuditWriter, Clock, Tx } from '../platform/index.ts';
import { scimErrors } from './errors.ts';
import { type GroupPatchPlan, replacedMembers } from './groups.patch.ts';
import * as store from './groups.store.ts';

/**
 * Gives the users whose group membership changed the roles their groups now map to
 * (group-roles' `syncUsers`), in the transaction of the change.
 */
export type SyncUsers = (
  tx: Tx,
  orgId: string,
  userIds: string[],
  actor: AuditActor,
) => Promise<unknown>;

export interface GroupChangeDeps {
  audit: AuditWriter;
  clock: Clock;
  syncUsers: SyncUsers;
}

/** A member change: who should be in the group after it, as a plan of groups.patch.ts. */
export type MemberChange = GroupPatchPlan['members'];

/** A change that makes the members exactly `ids` (POST, PUT, PATCH replace). */
export const membersExactly = (ids: Iterable<string>): MemberChange => ({
  replaceWith: new Set(ids),
  add: new Set(),
  remove: new Set(),
});

const targetOf = (id: string) => ({ type: 'scim_group', id });

/**
 * The writes of the Groups resource inside a caller's transaction: members checked to be users
 * the organization's SCIM sees, added and removed in one statement each, every change audited,
 * and the users who joined or left handed to the group roles' sync in the same transaction.
 */
export function createGroupChanges(deps: GroupChangeDeps) {
  const { audit, clock } = deps;

  /** A change's time, always after the last one, so that every change gives a new version. */
  const changedAt = (previous: Date) =>
    new Date(Math.max(clock.now().getTime(), previous.getTime() + 1));

  /** Refuses members that are not users SCIM sees in the organization (400 invalidValue). */
  async function checkMembers(tx: Tx, orgId: string, ids: Set<string>): Promise<void> {
    const wanted = [...ids];
    const known = await store.visibleUsers(tx, orgId, wanted);
    const unknown = wanted.filter((id) => !known.has(id));
    if (unknown.length === 0) return;
    const [group] = await store.groupsAmong(tx, unknown);
    const shown = unknown.slice(0, 5).join(', ') + (unknown.length > 5 ? ', …' : '');
    throw scimErrors.invalidValue({
      detail: group
        ? `members: groups cannot be members of a group (${group})`
        : `members: no user of this organization has the id ${shown}`,
    });
  }

  /** Applies a member change (one insert, one delete); returns who joined and who left. */
  async function changeMembers(
    tx: Tx,
    orgId: string,
    groupId: string,
    change: MemberChange,
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

  return {
    /** A new group with its members (POST /Groups). */
    async create(
      tx: Tx,
      row: store.GroupRow,
      memberIds: string[],
      actor: AuditActor,
    ): Promise<void> {
      await store.insertGroup(tx, row);
      await audit(tx, {
        orgId: row.org_id,
        action: 'scim.group.created',
        actor,
        target: targetOf(row.id),
        details: { displayName: row.display_name, externalId: row.external_id },
      });
      const change = membersExactly(memberIds);
      const moved = await changeMembers(tx, row.org_id, row.id, change, row.created_at);
      await membersChanged(
        tx,
        row.org_id,
        { id: row.id, displayName: row.display_name },
        moved,
        actor,
      );
    },

    /**
     * New attribute values and a member change of a group locked by the caller; `row` is
     * updated in place. Nothing changed means nothing written and the same version.
     */
    async update(
      tx: Tx,
      row: store.GroupRow,
      next: { displayName: string; externalId: string | null; members: MemberChange },
      actor: AuditActor,
    ): Promise<void> {
      const at = changedAt(row.updated_at);
      const moved = await changeMembers(tx, row.org_id, row.id, next.members, at);
      const changes: Record<string, { before: string | null; after: string | null }> = {};
      if (next.displayName !== row.display_name)
        changes.displayName = { before: row.display_name, after: next.displayName };
      if (next.externalId !== row.external_id)
        changes.externalId = { before: row.external_id, after: next.externalId };
      const renamed = Object.keys(changes).length > 0;
      if (renamed || moved.added.length > 0 || moved.removed.length > 0) {
        const saved = {
          display_name: next.displayName,
          external_id: next.externalId,
          updated_at: at,
        };
        await store.updateGroup(tx, row.id, saved);
        Object.assign(row, saved);
      }
      if (renamed)
        await audit(tx, {
          orgId: row.org_id,
          action: 'scim.group.updated',
          actor,
          target: targetOf(row.id),
          details: changes,
        });
      await membersChanged(
        tx,
        row.org_id,
        { id: row.id, displayName: row.display_name },
        moved,
        actor,
      );
    },

    /** Deletes a group locked by the caller; its former members lose the roles it gave them. */
    async remove(tx: Tx, row: store.GroupRow, actor: AuditActor): Promise<void> {
      const former = await store.memberIds(tx, row.id);
      await store.deleteGroup(tx, row.id);
      await audit(tx, {
        orgId: row.org_id,
        action: 'scim.group.deleted',
        actor,
        target: targetOf(row.id),
        details: { displayName: row.display_name, externalId: row.external_id, members: former },
      });
      if (former.length > 0) await deps.syncUsers(tx, row.org_id, former, actor);
    },
  };
}
