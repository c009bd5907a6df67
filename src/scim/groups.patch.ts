import { type Filter, parse } from 'scim2-parse-filter';
import { isCleanText, isUuid } from '../platform/index.ts';
import { scimErrors } from './errors.ts';
import { patchOperationsOf } from './protocol/patch.ts';
import { isJsonObject, memberOf, scimSchemas } from './protocol/schemas.ts';

const groupSchema = scimSchemas.group;

/** A group as POST and PUT give it: every writable attribute. */
export interface GroupInput {
  displayName: string;
  externalId: string | null;
  memberIds: string[];
}

/**
 * What a PATCH does to a group, net of all its operations: new attribute values, and the member
 * change either as additions and removals (applied as one insert and one delete, so that adding a
 * thousand members is two statements, not a thousand) or, after a replace, as the whole new set.
 */
export interface GroupPatchPlan {
  displayName?: string;
  externalId?: string | null;
  members: { replaceWith: Set<string> | null; add: Set<string>; remove: Set<string> };
}

/** Attribute names are case-insensitive and may carry the schema's URN (RFC 7644 §3.10). */
function attributeName(path: string): string {
  const lowered = path.trim().toLowerCase();
  const prefix = `${groupSchema.toLowerCase()}:`;
  return lowered.startsWith(prefix) ? lowered.slice(prefix.length) : lowered;
}

function displayNameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 256 || !isCleanText(value))
    throw scimErrors.invalidValue({
      detail: 'displayName must be a non-empty string of text (at most 256 characters)',
    });
  return value.trim();
}

function externalIdOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.length > 256 || !isCleanText(value))
    throw scimErrors.invalidValue({
      detail: 'externalId must be a string of text (at most 256 characters)',
    });
  return value;
}

/**
 * The user ids of a `members` value: `[{ value, display?, $ref?, type? }]`. A member must be a
 * user (nested groups are not supported); that each id names a user of the organization is
 * checked against the database by the caller.
 */
function memberIdsOf(value: unknown): string[] {
  const list = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
  const ids = list.map((member) => {
    const id = isJsonObject(member) ? memberOf(member, 'value') : undefined;
    const type = isJsonObject(member) ? memberOf(member, 'type') : undefined;
    if (typeof id !== 'string')
      throw scimErrors.invalidValue({
        detail: 'each member must be an object with a string value',
      });
    if (typeof type === 'string' && type.toLowerCase() !== 'user')
      throw scimErrors.invalidValue({
        detail: `members: ${type} members are not supported; only users`,
      });
    if (!isUuid(id))
      throw scimErrors.invalidValue({
        detail: `members: ${id} is not a user id of this organization`,
      });
    return id.toLowerCase();
  });
  return [...new Set(ids)];
}

/** A POST or PUT body: the Group schema, a display name, and the members. */
export function groupInputOf(body: unknown): GroupInput {
  if (!isJsonObject(body))
    throw scimErrors.invalidSyntax({ detail: 'the body must be a JSON object' });
  const schemas = memberOf(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === groupSchema.toLowerCase())
  )
    throw scimErrors.invalidSyntax({ detail: `schemas must include ${groupSchema}` });
  return {
    displayName: displayNameOf(memberOf(body, 'displayName')),
    externalId: externalIdOf(memberOf(body, 'externalId')),
    memberIds: memberIdsOf(memberOf(body, 'members')),
  };
}

/** The members a `members[...]` filter names: `value eq "<id>"`, possibly joined with `or`. */
function membersNamedBy(filter: Filter): string[] {
  if (filter.op === 'or' && 'filters' in filter) return filter.filters.flatMap(membersNamedBy);
  if (
    filter.op === 'eq' &&
    'compValue' in filter &&
    filter.attrPath.toLowerCase() === 'value' &&
    typeof filter.compValue === 'string'
  ) {
    if (!isUuid(filter.compValue))
      throw scimErrors.invalidValue({
        detail: `members: ${filter.compValue} is not a user id of this organization`,
      });
    return [filter.compValue.toLowerCase()];
  }
  throw scimErrors.invalidFilter({
    detail: 'a members filter may only name members by value eq "<id>", joined with or',
  });
}

/** Where an operation points: an attribute, or some members picked by a filter. */
type Target = { attribute: string } | { members: string[] };

function targetOf(path: string): Target {
  const bracket = path.indexOf('[');
  if (bracket < 0) return { attribute: attributeName(path) };
  if (attributeName(path.slice(0, bracket)) !== 'members' || !path.trimEnd().endsWith(']'))
    throw scimErrors.invalidPath({ detail: `${path} is not a path of a Group` });
  let filter: Filter;
  try {
    filter = parse(path.trim().slice(bracket + 1, -1));
  } catch {
    throw scimErrors.invalidFilter({ detail: `the filter in ${path} cannot be parsed` });
  }
  return { members: membersNamedBy(filter) };
}

function addMembers(plan: GroupPatchPlan, ids: string[]) {
  for (const id of ids) {
    plan.members.add.add(id);
    plan.members.remove.delete(id);
  }
}

function removeMembers(plan: GroupPatchPlan, ids: string[]) {
  for (const id of ids) {
    plan.members.remove.add(id);
    plan.members.add.delete(id);
  }
}

function replaceMembers(plan: GroupPatchPlan, ids: string[]) {
  plan.members = { replaceWith: new Set(ids), add: new Set(), remove: new Set() };
}

/** One add or replace of an attribute (`value` is its new value). */
function setAttribute(
  plan: GroupPatchPlan,
  op: 'add' | 'replace',
  attribute: string,
  value: unknown,
  groupId: string,
) {
  if (attribute === 'displayname') plan.displayName = displayNameOf(value);
  else if (attribute === 'externalid') plan.externalId = externalIdOf(value);
  else if (attribute === 'members')
    (op === 'add' ? addMembers : replaceMembers)(plan, memberIdsOf(value));
  else if (attribute === 'id') {
    // Okta repeats the group's id in a path-less replace; only a different id is a change.
    if (value !== groupId) throw scimErrors.mutability({ detail: 'id cannot be changed' });
  } else if (attribute !== 'schemas' && attribute !== 'meta')
    throw scimErrors.invalidPath({ detail: `${attribute} is not an attribute of a Group` });
}

function removeAttribute(plan: GroupPatchPlan, target: Target, value: unknown) {
  if ('members' in target) return removeMembers(plan, target.members);
  if (target.attribute === 'members') {
    // Entra names the members to remove in a value array rather than in a path filter.
    if (value === undefined || value === null) replaceMembers(plan, []);
    else removeMembers(plan, memberIdsOf(value));
  } else if (target.attribute === 'externalid') plan.externalId = null;
  else if (target.attribute === 'displayname')
    throw scimErrors.mutability({ detail: 'displayName is required and cannot be removed' });
  else
    throw scimErrors.invalidPath({ detail: `${target.attribute} is not an attribute of a Group` });
}

/**
 * The plan of a PATCH body (RFC 7644 §3.5.2) for a Group, in the forms directories send:
 * ops in any case (Entra's "Add", "Remove", "Replace"), a path-less add or replace with an object
 * value (Okta's rename repeats the id), `members` removed by a value array (Entra) or by a
 * `members[value eq "…"]` filter (Okta, RFC), and `members` replaced whole. The operations are
 * read here rather than applied by scim-patch to the whole group, so that a change of a few
 * members of a large group neither loads nor rewrites the others.
 */
export function groupPatchOf(body: unknown, groupId: string): GroupPatchPlan {
  const plan: GroupPatchPlan = {
    members: { replaceWith: null, add: new Set(), remove: new Set() },
  };
  for (const operation of patchOperationsOf(body)) {
    const { path, value } = operation;
    // patchOperationsOf lowercased the op (Entra capitalizes it).
    const op = operation.op as 'add' | 'remove' | 'replace';
    if (op === 'remove') {
      removeAttribute(plan, targetOf(path ?? ''), value);
    } else if (path === undefined) {
      for (const [key, item] of Object.entries(value as Record<string, unknown>))
        setAttribute(plan, op, attributeName(key), item, groupId);
    } else {
      const target = targetOf(path);
      if ('members' in target)
        throw scimErrors.invalidPath({
          detail: `${op} cannot target members by a filter; use the path members`,
        });
      setAttribute(plan, op, target.attribute, value, groupId);
    }
  }
  return plan;
}

/** The member set a plan leaves when it replaced the members: the replacement, then later ops. */
export function replacedMembers(plan: GroupPatchPlan): Set<string> | null {
  const { replaceWith, add, remove } = plan.members;
  if (!replaceWith) return null;
  const result = new Set([...replaceWith, ...add]);
  for (const id of remove) result.delete(id);
  return result;
}
