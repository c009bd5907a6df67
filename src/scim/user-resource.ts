import type { DirectoryUser } from '../identity/index.ts';
import { versionOf } from './protocol/etag.ts';
import { type JsonObject, scimSchemas } from './protocol/schemas.ts';

/** A user as SCIM shows them: the directory's record and the groups they are a member of. */
export interface ScimUserRecord extends DirectoryUser {
  groups: { id: string; displayName: string }[];
}

/** Drops the members whose value is null or undefined (SCIM leaves unassigned attributes out). */
const defined = (object: JsonObject): JsonObject =>
  Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null && v !== undefined));

/**
 * The SCIM User resource of a user (docs/scim.md#users-mapping). `base` is the organization's
 * SCIM root (`…/scim/v2/<slug>`), for `meta.location` and the references.
 */
export function userResource(user: ScimUserRecord, base: string): JsonObject {
  const enterprise = defined({
    employeeNumber: user.employeeNumber,
    department: user.department,
    manager: user.managerId
      ? { value: user.managerId, $ref: `${base}/Users/${user.managerId}` }
      : null,
  });
  const vigil = defined({ endDate: user.endAt?.toISOString() });
  const hasEnterprise = Object.keys(enterprise).length > 0;
  const hasVigil = Object.keys(vigil).length > 0;
  const name = defined({
    givenName: user.givenName,
    familyName: user.familyName,
    formatted: [user.givenName, user.familyName].filter((n) => n !== null).join(' ') || null,
  });
  return defined({
    schemas: [
      scimSchemas.user,
      ...(hasEnterprise ? [scimSchemas.enterpriseUser] : []),
      ...(hasVigil ? [scimSchemas.vigilUser] : []),
    ],
    id: user.id,
    externalId: user.externalId,
    userName: user.userName ?? user.email,
    name: Object.keys(name).length > 0 ? name : null,
    displayName: user.displayName,
    active: user.status === 'active',
    emails: [{ value: user.email, type: 'work', primary: true }],
    groups:
      user.groups.length > 0
        ? user.groups.map((g) => ({
            value: g.id,
            display: g.displayName,
            $ref: `${base}/Groups/${g.id}`,
            type: 'direct',
          }))
        : null,
    [scimSchemas.enterpriseUser]: hasEnterprise ? enterprise : null,
    [scimSchemas.vigilUser]: hasVigil ? vigil : null,
    meta: {
      resourceType: 'User',
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location: `${base}/Users/${user.id}`,
      version: versionOf(user.updatedAt),
    },
  });
}
