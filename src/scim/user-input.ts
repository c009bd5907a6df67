import { z } from 'zod';
import { scimErrors } from './errors.ts';
import { isJsonObject, type JsonObject, memberOf, scimSchemas } from './protocol/schemas.ts';

/** What a SCIM User body asks for (create, replace, or the result of a PATCH). */
export interface ScimUserInput {
  email: string;
  displayName: string;
  userName: string;
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  employeeNumber: string | null;
  department: string | null;
  /** The manager's SCIM id as sent (checked by the use case against the organization's users). */
  managerId: string | null;
  endAt: Date | null;
  /** Absent: unchanged on a replacement, active on a create. */
  active: boolean | undefined;
}

const invalid = (detail: string) => scimErrors.invalidValue({ detail });

/** A string attribute: absent, null and "" are no value. */
function text(object: JsonObject, name: string, path = name): string | null {
  const value = memberOf(object, name);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${path} must be a string`);
  return value.trim() === '' ? null : value.trim();
}

function objectAt(object: JsonObject, name: string): JsonObject {
  const value = memberOf(object, name);
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw invalid(`${name} must be an object`);
  return value;
}

/**
 * A SCIM boolean: true or false, or Entra's strings "True" and "False" (any case), which Entra
 * sends for `active` and `primary` (DESIGN §11).
 */
export function scimBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
    return value.trim().toLowerCase() === 'true';
  throw invalid(`${path} must be true or false`);
}

const isEmail = (value: string) => z.email().safeParse(value).success;

/** The user's one email: the primary, else the work one, else the first; else the userName. */
function emailOf(body: JsonObject, userName: string): string {
  const emails = memberOf(body, 'emails');
  if (emails !== undefined && emails !== null && !Array.isArray(emails))
    throw invalid('emails must be an array');
  const entries = (emails ?? []) as unknown[];
  const values = entries.map((entry, i) => {
    if (!isJsonObject(entry)) throw invalid(`emails[${i}] must be an object`);
    const primary = memberOf(entry, 'primary');
    return {
      value: text(entry, 'value', `emails[${i}].value`),
      type: text(entry, 'type', `emails[${i}].type`)?.toLowerCase(),
      primary:
        primary === undefined || primary === null
          ? false
          : scimBoolean(primary, `emails[${i}].primary`),
    };
  });
  const chosen =
    values.find((e) => e.primary && e.value) ??
    values.find((e) => e.type === 'work' && e.value) ??
    values.find((e) => e.value);
  if (chosen?.value) return chosen.value;
  if (isEmail(userName)) return userName;
  throw invalid('a user needs an email: emails[].value, or a userName that is an email address');
}

function managerOf(enterprise: JsonObject): string | null {
  const manager = memberOf(enterprise, 'manager');
  // Entra sends the manager's id as a plain string in PATCH, RFC 7643 an object with `value`.
  if (manager === undefined || manager === null || manager === '') return null;
  if (typeof manager === 'string') return manager.trim() || null;
  if (!isJsonObject(manager)) throw invalid('manager must be an object with a value');
  return text(manager, 'value', 'manager.value');
}

function endDateOf(vigil: JsonObject): Date | null {
  const endDate = text(vigil, 'endDate', `${scimSchemas.vigilUser}:endDate`);
  if (endDate === null) return null;
  const at = new Date(endDate);
  if (!/^\d{4}-\d{2}-\d{2}/.test(endDate) || Number.isNaN(at.getTime()))
    throw invalid('endDate must be an xsd:dateTime (like 2026-12-31T17:00:00Z)');
  return at;
}

/**
 * A SCIM User body as Vigil's user: schemas must name the User schema; userName is required;
 * attributes Vigil does not keep (addresses, phone numbers, title, password…) are ignored;
 * read-only ones (id, groups, meta) too, as RFC 7644 §3.5.1 says for a replacement.
 */
export function scimUserInputOf(body: unknown): ScimUserInput {
  if (!isJsonObject(body))
    throw scimErrors.invalidSyntax({ detail: 'the body must be a JSON object' });
  const schemas = memberOf(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some(
      (s) => typeof s === 'string' && s.toLowerCase() === scimSchemas.user.toLowerCase(),
    )
  )
    throw scimErrors.invalidSyntax({ detail: `schemas must include ${scimSchemas.user}` });
  const userName = text(body, 'userName');
  if (userName === null) throw invalid('userName is required');
  const name = objectAt(body, 'name');
  const enterprise = objectAt(body, scimSchemas.enterpriseUser);
  const vigil = objectAt(body, scimSchemas.vigilUser);
  const givenName = text(name, 'givenName', 'name.givenName');
  const familyName = text(name, 'familyName', 'name.familyName');
  const formatted = text(name, 'formatted', 'name.formatted');
  const active = memberOf(body, 'active');
  return {
    userName,
    email: emailOf(body, userName),
    displayName:
      text(body, 'displayName') ??
      formatted ??
      ([givenName, familyName].filter((n) => n !== null).join(' ') || userName),
    externalId: text(body, 'externalId'),
    givenName,
    familyName,
    employeeNumber: text(enterprise, 'employeeNumber', 'employeeNumber'),
    department: text(enterprise, 'department', 'department'),
    managerId: managerOf(enterprise),
    endAt: endDateOf(vigil),
    active: active === undefined || active === null ? undefined : scimBoolean(active, 'active'),
  };
}
