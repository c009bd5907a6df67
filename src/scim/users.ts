import type { DirectoryUser, UserDirectory } from '../identity/index.ts';
import { type AuditActor, type Database, isUuid, type Tx } from '../platform/index.ts';
import { inOrg, type ScimCall } from './call.ts';
import { scimErrors } from './errors.ts';
import { ifMatchAllows, versionOf } from './protocol/etag.ts';
import { filterSql } from './protocol/filter.store.ts';
import { type FilterAttributes, parseFilter } from './protocol/filter.ts';
import type { ListRequest } from './protocol/list-request.ts';
import { applyPatch, patchOperationsOf } from './protocol/patch.ts';
import { type JsonObject, scimSchemas } from './protocol/schemas.ts';
import { type ScimUserInput, scimUserInputOf } from './user-input.ts';
import { userResource } from './user-resource.ts';
import * as store from './users.store.ts';

/** The deactivation path of the lifecycle module (injected: it is of SCIM's tier). */
export interface ScimLifecycle {
  deactivate(
    tx: Tx,
    userId: string,
    status: 'suspended' | 'deprovisioned',
    actor: AuditActor,
    request: { source: 'scim' },
  ): Promise<unknown>;
  reactivate(tx: Tx, userId: string, actor: AuditActor, source: 'scim'): Promise<unknown>;
}

export interface ScimUsersDeps {
  database: Database;
  directory: Pick<UserDirectory, 'create' | 'replace'>;
  lifecycle: ScimLifecycle;
}

/**
 * The attributes a Users filter may name, and how each compares
 * (docs/scim.md#filters-and-paging).
 */
export const userFilterAttributes: FilterAttributes = {
  id: 'id',
  externalid: 'caseExactString',
  username: 'string',
  displayname: 'string',
  'emails.value': 'string',
  'name.givenname': 'string',
  'name.familyname': 'string',
  active: 'boolean',
  'meta.created': 'dateTime',
  'meta.lastmodified': 'dateTime',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:employeenumber': 'string',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:department': 'string',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:manager.value': 'id',
  'urn:ietf:params:scim:schemas:extension:vigil:2.0:user:enddate': 'dateTime',
};

/** A User answer: the resource and its version (the ETag header). */
export interface ScimUserAnswer {
  resource: JsonObject;
  version: string;
}

/**
 * The SCIM Users resource (docs/scim.md#users-mapping): each request one transaction in the token's
 * organization. Creates and changes go through identity's user directory (audited before and
 * after); `active: false` suspends and DELETE deprovisions through the lifecycle's one deactivation
 * path, so the user's sessions, tokens, keys and grants end in the same call.
 */
export function createScimUsers(deps: ScimUsersDeps) {
  const notFound = (id: string) => scimErrors.userNotFound({ id });

  async function answer(tx: Tx, call: ScimCall, userId: string): Promise<ScimUserAnswer> {
    const user = await store.visibleUser(tx, userId);
    if (!user) throw notFound(userId);
    const groups = (await store.groupsOf(tx, [user.id])).get(user.id) ?? [];
    return {
      resource: userResource({ ...user, groups }, call.base),
      version: versionOf(user.updatedAt),
    };
  }

  /** The user to change, locked, once the If-Match (if any) matches their version. */
  async function userToChange(tx: Tx, id: string, ifMatch: string | undefined) {
    const user = isUuid(id) ? await store.visibleUser(tx, id, { forUpdate: true }) : undefined;
    if (!user) throw notFound(id);
    const version = versionOf(user.updatedAt);
    if (!ifMatchAllows(ifMatch, version)) throw scimErrors.versionMismatch({ version });
    return user;
  }

  /** A manager must be another user SCIM can see in the organization. */
  async function checkManager(tx: Tx, managerId: string | null, userId: string | null) {
    if (managerId === null) return;
    const manager = isUuid(managerId) ? await store.visibleUser(tx, managerId) : undefined;
    if (!manager || managerId === userId)
      throw scimErrors.invalidValue({
        detail: `manager ${managerId} is not another user of this organization`,
      });
  }

  const directoryInput = (input: ScimUserInput) => ({
    email: input.email,
    displayName: input.displayName,
    externalId: input.externalId,
    userName: input.userName,
    givenName: input.givenName,
    familyName: input.familyName,
    employeeNumber: input.employeeNumber,
    department: input.department,
    managerId: input.managerId,
    endAt: input.endAt,
  });

  /** Makes `user` what `input` says: attributes first, then the status it asks for. */
  async function replaceWith(tx: Tx, call: ScimCall, user: DirectoryUser, input: ScimUserInput) {
    if (input.managerId !== user.managerId) await checkManager(tx, input.managerId, user.id);
    await deps.directory.replace(tx, user.id, directoryInput(input), call.actor, {
      source: 'scim',
    });
    if (input.active === false && user.status === 'active')
      await deps.lifecycle.deactivate(tx, user.id, 'suspended', call.actor, { source: 'scim' });
    if (input.active === true && user.status === 'suspended')
      await deps.lifecycle.reactivate(tx, user.id, call.actor, 'scim');
    return answer(tx, call, user.id);
  }

  return {
    /** POST /Users: a joiner; `active: false` creates them suspended. */
    create(call: ScimCall, body: unknown): Promise<ScimUserAnswer> {
      const input = scimUserInputOf(body);
      return inOrg(deps.database, call, async (tx) => {
        await checkManager(tx, input.managerId, null);
        const user = await deps.directory.create(
          tx,
          call.orgId,
          directoryInput(input),
          call.actor,
          'scim',
        );
        if (input.active !== false)
          // A joiner is in no group yet: the answer needs nothing read back.
          return {
            resource: userResource({ ...user, groups: [] }, call.base),
            version: versionOf(user.updatedAt),
          };
        await deps.lifecycle.deactivate(tx, user.id, 'suspended', call.actor, { source: 'scim' });
        return answer(tx, call, user.id);
      });
    },

    get(call: ScimCall, id: string): Promise<ScimUserAnswer> {
      return inOrg(deps.database, call, async (tx) => {
        if (!isUuid(id)) throw notFound(id);
        return answer(tx, call, id);
      });
    },

    /** PUT /Users/{id}: the whole user as the body says (Okta's way of every change). */
    replace(call: ScimCall, id: string, body: unknown, ifMatch?: string) {
      const input = scimUserInputOf(body);
      return inOrg(deps.database, call, async (tx) =>
        replaceWith(tx, call, await userToChange(tx, id, ifMatch), input),
      );
    },

    /**
     * PATCH /Users/{id}: the operations applied by scim-patch to the user's resource, and the
     * result saved like a PUT (so it is validated the same way). `id` and `groups` are
     * read-only: an operation that changes them is refused (mutability).
     */
    patch(call: ScimCall, id: string, body: unknown, ifMatch?: string) {
      const operations = patchOperationsOf(body, [
        scimSchemas.enterpriseUser,
        scimSchemas.vigilUser,
      ]);
      return inOrg(deps.database, call, async (tx) => {
        const user = await userToChange(tx, id, ifMatch);
        const { resource } = await answer(tx, call, user.id);
        const patched = applyPatch(resource, operations);
        for (const readOnly of ['id', 'groups'])
          if (JSON.stringify(patched[readOnly]) !== JSON.stringify(resource[readOnly]))
            throw scimErrors.mutability({ detail: `${readOnly} is read-only` });
        return replaceWith(tx, call, user, scimUserInputOf(patched));
      });
    },

    /** DELETE /Users/{id}: the user is deprovisioned and no longer visible to SCIM. */
    remove(call: ScimCall, id: string, ifMatch?: string): Promise<void> {
      return inOrg(deps.database, call, async (tx) => {
        const user = await userToChange(tx, id, ifMatch);
        await deps.lifecycle.deactivate(tx, user.id, 'deprovisioned', call.actor, {
          source: 'scim',
        });
      });
    },

    /** GET /Users: a page of the users the filter selects, in creation order. */
    list(call: ScimCall, request: ListRequest) {
      const filter =
        request.filter === undefined
          ? undefined
          : parseFilter(request.filter, userFilterAttributes, scimSchemas.user);
      return inOrg(deps.database, call, async (tx) => {
        const where = filter ? filterSql(filter, store.userFilterColumns) : null;
        const page = await store.usersPage(
          tx,
          call.orgId,
          where,
          request.startIndex - 1,
          request.count,
        );
        const groups = await store.groupsOf(
          tx,
          page.rows.map((u) => u.id),
        );
        const resources = page.rows.map((user) =>
          userResource({ ...user, groups: groups.get(user.id) ?? [] }, call.base),
        );
        return { resources, total: page.total };
      });
    },
  };
}

export type ScimUsers = ReturnType<typeof createScimUsers>;
