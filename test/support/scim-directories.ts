/**
 * The requests Microsoft Entra ID and Okta send to a SCIM service provider, in their own shapes,
 * for the provisioning replays (test/scim-entra-session.test.ts, test/scim-okta-session.test.ts).
 * Only names, ids and dates are ours; keys, casing, value types and paths are the directories'.
 *
 * Entra: "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID",
 * section "User operations" / "Group operations" request examples
 * (learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups),
 * and "Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra user
 * provisioning service" (…/application-provisioning-config-problem-scim-compatibility): booleans
 * sent as strings ("False"), PATCH with no path and a value object whose keys are attribute
 * paths (`name.givenName`, the enterprise extension's URN-prefixed attributes), capitalized ops,
 * and members removed with a `value` array instead of a path filter.
 *
 * Okta: "Okta and SCIM Version 2.0" (developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20):
 * the `userName eq` lookup with `startIndex=1&count=100`, the create, the full-resource PUT for
 * profile changes and for deactivation (`active: false`), and Group Push (create, rename with a
 * path-less replace repeating the id, membership by `members` replace and by remove-by-filter
 * plus add).
 */

export const coreUser = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const enterpriseUser = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const coreGroup = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const patchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const listResponse = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** A query string with SCIM's filter encoded as a directory encodes it (%20 and %22). */
export const query = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');

export interface Person {
  userName: string;
  email: string;
  givenName: string;
  familyName: string;
  externalId: string;
}

export const entra = {
  /** `GET /Users?filter=userName eq "…"`: is the user there before it is created? */
  userProbe: (userName: string) => `/Users?${query({ filter: `userName eq "${userName}"` })}`,

  /**
   * `POST /Users`. Entra's attribute mapping sends `active` as the string "True" for apps
   * created before the 2020 compliance fix, and the enterprise extension's attributes.
   */
  createUser: (p: Person, work: { department: string; employeeNumber: string }) => ({
    schemas: [coreUser, enterpriseUser],
    externalId: p.externalId,
    userName: p.userName,
    active: 'True',
    emails: [{ primary: true, type: 'work', value: p.email }],
    meta: { resourceType: 'User' },
    name: {
      formatted: `${p.givenName} ${p.familyName}`,
      familyName: p.familyName,
      givenName: p.givenName,
    },
    roles: [],
    [enterpriseUser]: { department: work.department, employeeNumber: work.employeeNumber },
  }),

  /** `PATCH /Users/{id}` without a path: one value object keyed by attribute paths. */
  updateUserNoPath: (changes: { givenName: string; displayName: string; department: string }) => ({
    schemas: [patchOp],
    Operations: [
      {
        op: 'Replace',
        value: {
          displayName: changes.displayName,
          'name.givenName': changes.givenName,
          [`${enterpriseUser}:department`]: changes.department,
        },
      },
    ],
  }),

  /** `PATCH /Users/{id}` disabling the user (a soft delete: Entra sends this, not DELETE). */
  disableUser: () => ({
    schemas: [patchOp],
    Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
  }),

  /** `PATCH /Users/{id}` enabling the user again (assigned to the app once more). */
  enableUser: () => ({
    schemas: [patchOp],
    Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
  }),

  /** `POST /Groups`: Entra's own group schema beside the core one, and no members yet. */
  createGroup: (displayName: string, externalId: string) => ({
    schemas: [
      coreGroup,
      'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group',
    ],
    externalId,
    displayName,
    meta: { resourceType: 'Group' },
  }),

  /** `GET /Groups?excludedAttributes=members&filter=displayName eq "…"`. */
  groupProbe: (displayName: string) =>
    `/Groups?${query({ excludedAttributes: 'members', filter: `displayName eq "${displayName}"` })}`,

  /** `PATCH /Groups/{id}` adding members: `$ref` null and the user's SCIM id. */
  addMembers: (userIds: string[]) => ({
    schemas: [patchOp],
    Operations: [
      { op: 'Add', path: 'members', value: userIds.map((value) => ({ $ref: null, value })) },
    ],
  }),

  /** `PATCH /Groups/{id}` removing members with a value array (no filter in the path). */
  removeMembers: (userIds: string[]) => ({
    schemas: [patchOp],
    Operations: [
      { op: 'Remove', path: 'members', value: userIds.map((value) => ({ $ref: null, value })) },
    ],
  }),

  /** `PATCH /Groups/{id}` renaming the group. */
  renameGroup: (displayName: string) => ({
    schemas: [patchOp],
    Operations: [{ op: 'Replace', path: 'displayName', value: displayName }],
  }),
};

/** A user as Okta's app profile sends it: `groups` empty, Okta's user id as externalId. */
const oktaUser = (p: Person, active: boolean) => ({
  schemas: [coreUser],
  userName: p.userName,
  name: { givenName: p.givenName, familyName: p.familyName },
  emails: [{ primary: true, value: p.email, type: 'work' }],
  displayName: `${p.givenName} ${p.familyName}`,
  locale: 'en-US',
  externalId: p.externalId,
  groups: [],
  active,
});

export const okta = {
  /** `GET /Users?filter=userName eq "…"&startIndex=1&count=100`. */
  userProbe: (userName: string) =>
    `/Users?${query({ filter: `userName eq "${userName}"`, startIndex: '1', count: '100' })}`,

  /** `POST /Users`: the app profile, with `groups` empty and Okta's user id as externalId. */
  createUser: (p: Person) => oktaUser(p, true),

  /**
   * `PUT /Users/{id}`: Okta sends the whole resource for any profile change and, with
   * `active: false`, to deactivate; it echoes the id and the meta it was given.
   */
  replaceUser: (
    p: Person,
    id: string,
    meta: { created: string; lastModified: string },
    active: boolean,
  ) => ({ ...oktaUser(p, active), id, meta: { resourceType: 'User', ...meta } }),

  /** `GET /Groups?filter=displayName eq "…"&startIndex=1&count=100`. */
  groupProbe: (displayName: string) =>
    `/Groups?${query({ filter: `displayName eq "${displayName}"`, startIndex: '1', count: '100' })}`,

  /** `POST /Groups` (Group Push). */
  createGroup: (displayName: string) => ({
    schemas: [coreGroup],
    displayName,
    members: [],
  }),

  /** `PATCH /Groups/{id}` renaming: a path-less replace that repeats the group's id. */
  renameGroup: (id: string, displayName: string) => ({
    schemas: [patchOp],
    Operations: [{ op: 'replace', value: { id, displayName } }],
  }),

  /** `PATCH /Groups/{id}` pushing the whole membership: `members` replaced. */
  replaceMembers: (members: { value: string; display: string }[]) => ({
    schemas: [patchOp],
    Operations: [{ op: 'replace', path: 'members', value: members }],
  }),

  /** `PATCH /Groups/{id}` for a membership change: removals by filter, then the additions. */
  moveMembers: (removed: string[], added: { value: string; display: string }[]) => ({
    schemas: [patchOp],
    Operations: [
      ...removed.map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })),
      ...(added.length > 0 ? [{ op: 'add', path: 'members', value: added }] : []),
    ],
  }),

  /** The connection test and the group import: the first page of each resource. */
  firstUsers: () => `/Users?${query({ startIndex: '1', count: '2' })}`,
  firstGroups: () => `/Groups?${query({ startIndex: '1', count: '100' })}`,
};
