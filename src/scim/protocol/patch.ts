import { type ScimPatchOperation, type ScimResource, scimPatch } from 'scim-patch';
import { scimErrors } from '../errors.ts';
import { isJsonObject, type JsonObject, memberOf, scimSchemas } from './schemas.ts';

/** More operations than any directory sends in one request. */
const maxOperations = 1000;

/**
 * The operations of a PATCH body (RFC 7644 §3.5.2), checked, with their `op` lowercased and
 * rewritten where scim-patch would apply them wrong (see `targeted`). `extensions` are the
 * resource's schema extension URNs.
 */
export function patchOperationsOf(
  body: unknown,
  extensions: readonly string[] = [],
): ScimPatchOperation[] {
  if (!isJsonObject(body))
    throw scimErrors.invalidSyntax({ detail: 'the body must be a JSON object' });
  const schemas = memberOf(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(scimSchemas.patchOp))
    throw scimErrors.invalidSyntax({ detail: `schemas must include ${scimSchemas.patchOp}` });
  const operations = memberOf(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0)
    throw scimErrors.invalidSyntax({ detail: 'Operations must be a non-empty array' });
  if (operations.length > maxOperations)
    throw scimErrors.tooMany({ detail: `at most ${maxOperations} operations in one request` });
  return operations.flatMap((operation, i): ScimPatchOperation[] => {
    if (!isJsonObject(operation))
      throw scimErrors.invalidSyntax({ detail: `Operations[${i}] must be an object` });
    const op = memberOf(operation, 'op');
    // Entra capitalizes the op ("Replace", "Add"); RFC 7644 names them in lower case.
    const name = typeof op === 'string' ? op.toLowerCase() : '';
    if (name !== 'add' && name !== 'remove' && name !== 'replace')
      throw scimErrors.invalidSyntax({
        detail: `Operations[${i}].op must be add, remove or replace`,
      });
    const path = memberOf(operation, 'path');
    if (path !== undefined && (typeof path !== 'string' || path.trim() === ''))
      throw scimErrors.invalidPath({ detail: `Operations[${i}].path must be a non-empty string` });
    if (name === 'remove' && path === undefined)
      throw scimErrors.noTarget({ detail: `Operations[${i}]: remove needs a path` });
    const value = memberOf(operation, 'value');
    if (name !== 'remove' && value === undefined)
      throw scimErrors.invalidValue({ detail: `Operations[${i}]: ${name} needs a value` });
    if (name !== 'remove' && path === undefined && !isJsonObject(value))
      throw scimErrors.invalidValue({
        detail: `Operations[${i}]: ${name} without a path needs an object value`,
      });
    if (name === 'remove') return [{ op: name, path: path as string, value }];
    return targeted(name, path as string | undefined, value, extensions);
  });
}

/** One operation per attribute of an extension's value, each by its full path. */
const perAttribute = (op: 'add' | 'replace', extension: string, value: JsonObject) =>
  Object.entries(value).map(([name, v]) => ({ op, path: `${extension}:${name}`, value: v }));

/** The extension URN `name` is (ignoring case), if it is one. */
const extensionNamed = (name: string, extensions: readonly string[]) =>
  extensions.find((e) => e.toLowerCase() === name.toLowerCase());

/**
 * An add or replace as scim-patch applies it right. scim-patch takes an extension's URN alone
 * (`urn:…:enterprise:2.0:User`) for an attribute `User` of `urn:…:2.0`, so an extension's value
 * becomes one operation per attribute. Without a path, Entra keys the value object by attribute
 * paths, filters included (`emails[type eq "work"].value`), which scim-patch would skip silently,
 * and scim-patch would replace a complex attribute (`"name": {"givenName": …}`) whole, where RFC
 * 7644 §3.5.2.3 leaves the sub-attributes not named unchanged: each such key becomes an
 * operation of its own with the key as its path.
 */
function targeted(
  op: 'add' | 'replace',
  path: string | undefined,
  value: unknown,
  extensions: readonly string[],
): ScimPatchOperation[] {
  if (path !== undefined) {
    const extension = extensionNamed(path, extensions);
    return extension && isJsonObject(value)
      ? perAttribute(op, extension, value)
      : [{ op, path, value }];
  }
  const own: ScimPatchOperation[] = [];
  const rest: JsonObject = {};
  for (const [key, v] of Object.entries(value as JsonObject)) {
    const extension = extensionNamed(key, extensions);
    if (extension && isJsonObject(v)) own.push(...perAttribute(op, extension, v));
    else if (key.includes('[') || isJsonObject(v)) own.push({ op, path: key, value: v });
    else rest[key] = v;
  }
  return [...(Object.keys(rest).length > 0 ? [{ op, value: rest }] : []), ...own];
}

/** scim-patch's refusal as a SCIM error (its `scimCode` is the scimType). */
function refusalOf(err: unknown): Error {
  const code = (err as { scimCode?: unknown }).scimCode;
  const detail = (err as Error).message.replace(/^Invalid SCIM Patch: /, '');
  if (code === 'noTarget') return scimErrors.noTarget({ detail });
  if (code === 'invalidPath') return scimErrors.invalidPath({ detail });
  if (code === 'invalidSyntax') return scimErrors.invalidPath({ detail });
  return scimErrors.invalidValue({ detail });
}

/**
 * `resource` with `operations` applied by scim-patch (a copy; `resource` is left as it was).
 * The result is not checked here: the caller validates it as a replacement of the whole
 * resource, so a PATCH can produce nothing a PUT could not.
 */
export function applyPatch(resource: JsonObject, operations: ScimPatchOperation[]): JsonObject {
  let patched = structuredClone(resource);
  for (const operation of operations) {
    // A whole extension removed (`remove` of `urn:…:User`): scim-patch would do nothing.
    const extension =
      operation.op === 'remove' && operation.path.toLowerCase().startsWith('urn:')
        ? Object.keys(patched).find((k) => k.toLowerCase() === operation.path.toLowerCase())
        : undefined;
    if (extension) delete patched[extension];
    else patched = applyOne(patched, operation);
  }
  return patched;
}

function applyOne(resource: JsonObject, operation: ScimPatchOperation): JsonObject {
  try {
    const target = resource as unknown as ScimResource;
    return scimPatch(target, [operation], { mutateDocument: true }) as unknown as JsonObject;
  } catch (err) {
    if (err instanceof Error && 'scimCode' in err) throw refusalOf(err);
    throw scimErrors.invalidValue({ detail: `the operations cannot be applied: ${String(err)}` });
  }
}
