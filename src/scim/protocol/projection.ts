import { isJsonObject, type JsonObject } from './schemas.ts';

/** Which attributes an answer carries (RFC 7644 §3.4.2.5): at most one of the two is non-empty. */
export interface Projection {
  attributes: string[];
  excludedAttributes: string[];
}

/** Attributes returned whatever the request says (`returned: always`). */
const always = new Set(['id', 'schemas']);

/** An attribute path as [top-level key, sub-attribute?], resolved against `resource`'s keys. */
function pathIn(resource: JsonObject, path: string, coreSchema: string): string[] | undefined {
  let rest = path.trim();
  const core = `${coreSchema}:`;
  if (rest.toLowerCase().startsWith(core.toLowerCase())) rest = rest.slice(core.length);
  const find = (name: string) => Object.keys(resource).find((k) => k.toLowerCase() === name);
  if (rest.toLowerCase().startsWith('urn:')) {
    // An extension (`urn:…:User`) or one of its attributes (`urn:…:User:department`).
    const lower = rest.toLowerCase();
    const extension = Object.keys(resource).find(
      (k) => lower === k.toLowerCase() || lower.startsWith(`${k.toLowerCase()}:`),
    );
    if (!extension) return undefined;
    const inner = rest.slice(extension.length + 1);
    return inner ? [extension, ...inner.split('.')] : [extension];
  }
  const [top = '', sub] = rest.split('.');
  const key = find(top.toLowerCase());
  if (!key) return undefined;
  return sub ? [key, sub] : [key];
}

/** The member of `object` whose name is `name` ignoring case. */
const keyOf = (object: JsonObject, name: string) =>
  Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());

/** `value` reduced to `sub` (in each element of a multi-valued attribute). */
function pick(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, sub)).filter((v) => v !== undefined);
  if (!isJsonObject(value)) return undefined;
  const key = keyOf(value, sub);
  return key ? { [key]: value[key] } : undefined;
}

function merge(into: JsonObject, key: string, value: unknown): void {
  const existing = into[key];
  if (isJsonObject(existing) && isJsonObject(value)) into[key] = { ...existing, ...value };
  else if (Array.isArray(existing) && Array.isArray(value))
    into[key] = existing.map((e, i) => ({ ...(e as JsonObject), ...(value[i] as JsonObject) }));
  else into[key] = value;
}

function without(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) return value.map((v) => without(v, sub));
  if (!isJsonObject(value)) return value;
  const key = keyOf(value, sub);
  if (!key) return value;
  const { [key]: _, ...rest } = value;
  return rest;
}

/**
 * `resource` with only the attributes asked for, or without the excluded ones; `id` and
 * `schemas` stay. Names are case-insensitive, may carry their schema's URN and may name a
 * sub-attribute (`name.givenName`, `emails.value`); a name the resource lacks selects nothing.
 */
export function project(
  resource: JsonObject,
  projection: Projection,
  coreSchema: string,
): JsonObject {
  if (projection.attributes.length > 0) {
    const out: JsonObject = {};
    for (const key of Object.keys(resource)) if (always.has(key)) out[key] = resource[key];
    for (const name of projection.attributes) {
      const path = pathIn(resource, name, coreSchema);
      if (!path) continue;
      const [key, sub] = path as [string, string | undefined];
      const value = sub === undefined ? resource[key] : pick(resource[key], sub);
      if (value !== undefined) merge(out, key, value);
    }
    return out;
  }
  const out: JsonObject = { ...resource };
  for (const name of projection.excludedAttributes) {
    const path = pathIn(resource, name, coreSchema);
    if (!path) continue;
    const [key, sub] = path as [string, string | undefined];
    if (always.has(key)) continue;
    if (sub === undefined) delete out[key];
    else out[key] = without(out[key], sub);
  }
  return out;
}
