import { type AppError, isAppError } from '../platform/index.ts';
import type { ScimCall } from './call.ts';
import { scimErrors } from './errors.ts';
import { scimErrorOf } from './protocol/error-body.ts';
import { isJsonObject, type JsonObject, memberOf, scimSchemas } from './protocol/schemas.ts';

/** What a resource type's use cases offer /Bulk (the Users and the Groups use cases). */
export interface BulkResource {
  create(call: ScimCall, body: unknown): Promise<{ resource: JsonObject; version: string }>;
  replace(
    call: ScimCall,
    id: string,
    body: unknown,
    ifMatch?: string,
  ): Promise<{ resource: JsonObject; version: string }>;
  patch(
    call: ScimCall,
    id: string,
    body: unknown,
    ifMatch?: string,
  ): Promise<{ resource: JsonObject; version: string }>;
  remove(call: ScimCall, id: string, ifMatch?: string): Promise<void>;
}

/** The most operations one /Bulk request may hold (advertised as bulk.maxOperations). */
export const bulkMaxOperations = 100;

type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One operation of a request, as sent (checked when its turn comes). */
interface Operation {
  index: number;
  method: unknown;
  bulkId: unknown;
  version: unknown;
  path: unknown;
  data: unknown;
  /** The bulkIds its path and data refer to (`"bulkId:<id>"`). */
  refs: Set<string>;
}

/** One operation's outcome in the BulkResponse (RFC 7644 §3.7.3). */
type Outcome = JsonObject & { status: string };

const bulkRef = /^bulkId:(.+)$/;
/** A bulkId standing for a resource's id in a path (`/Users/bulkId:ann`). */
const pathRef = /(?<=\/)bulkId:([^/]+)/g;

/** Every bulkId `value` refers to, anywhere in it. */
function refsIn(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') {
    const match = bulkRef.exec(value);
    if (match?.[1]) into.add(match[1]);
  } else if (Array.isArray(value)) for (const v of value) refsIn(v, into);
  else if (isJsonObject(value)) for (const v of Object.values(value)) refsIn(v, into);
  return into;
}

/** `value` with each `"bulkId:<id>"` replaced by the id of the resource that operation created. */
function resolved(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') {
    const match = bulkRef.exec(value);
    return match?.[1] ? (ids.get(match[1]) ?? value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolved(v, ids));
  if (isJsonObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolved(v, ids)]));
  return value;
}

function operationsOf(body: unknown): { operations: Operation[]; failOnErrors: number } {
  if (!isJsonObject(body))
    throw scimErrors.invalidSyntax({ detail: 'the body must be a JSON object' });
  const schemas = memberOf(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(scimSchemas.bulkRequest))
    throw scimErrors.invalidSyntax({ detail: `schemas must include ${scimSchemas.bulkRequest}` });
  const list = memberOf(body, 'Operations');
  if (!Array.isArray(list) || list.length === 0)
    throw scimErrors.invalidSyntax({ detail: 'Operations must be a non-empty array' });
  if (list.length > bulkMaxOperations)
    throw scimErrors.bulkTooLarge({
      detail: `at most ${bulkMaxOperations} operations in one request`,
    });
  const failOnErrors = memberOf(body, 'failOnErrors');
  if (failOnErrors !== undefined && !(Number.isInteger(failOnErrors) && Number(failOnErrors) > 0))
    throw scimErrors.invalidValue({ detail: 'failOnErrors is a positive integer' });
  const bulkIds = new Set<unknown>();
  const operations = list.map((entry, index): Operation => {
    if (!isJsonObject(entry))
      throw scimErrors.invalidSyntax({ detail: `Operations[${index}] must be an object` });
    const [method, bulkId, version, path, data] = [
      'method',
      'bulkId',
      'version',
      'path',
      'data',
    ].map((name) => memberOf(entry, name));
    if (bulkId !== undefined && bulkIds.has(bulkId))
      throw scimErrors.invalidSyntax({ detail: `bulkId ${String(bulkId)} is used twice` });
    bulkIds.add(bulkId);
    const refs = refsIn(data, new Set());
    if (typeof path === 'string')
      for (const [, ref] of path.matchAll(pathRef)) refs.add(ref as string);
    return { index, method, bulkId, version, path, data, refs };
  });
  return {
    operations,
    failOnErrors: (failOnErrors as number | undefined) ?? Number.POSITIVE_INFINITY,
  };
}

/** The checked method, resource, id and If-Match of an operation (its path resolved). */
function targetOf(
  op: Operation,
  ids: Map<string, string>,
  resources: Record<string, BulkResource>,
) {
  const method = typeof op.method === 'string' ? op.method.toUpperCase() : '';
  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method))
    throw scimErrors.invalidSyntax({ detail: 'method must be POST, PUT, PATCH or DELETE' });
  if (method === 'POST' && (typeof op.bulkId !== 'string' || op.bulkId === ''))
    throw scimErrors.invalidSyntax({ detail: 'a POST needs a bulkId' });
  if (op.version !== undefined && typeof op.version !== 'string')
    throw scimErrors.invalidValue({ detail: 'version must be a string' });
  const path =
    typeof op.path === 'string'
      ? op.path.replace(pathRef, (ref, bulkId: string) => ids.get(bulkId) ?? ref)
      : '';
  const [, name = '', id, rest] = /^\/([^/]+)(?:\/([^/]+))?(\/.*)?$/.exec(path) ?? [];
  const resource = resources[name];
  if (!resource || rest !== undefined || (method === 'POST') !== (id === undefined))
    throw scimErrors.invalidPath({
      detail: `${path || 'path'} is not ${method === 'POST' ? 'a resource type' : 'a resource'} of /Bulk (${Object.keys(resources).join(', ')})`,
    });
  if (method !== 'DELETE' && !isJsonObject(op.data))
    throw scimErrors.invalidSyntax({ detail: `a ${method} needs data, the resource or the PATCH` });
  return { method: method as Method, resource, id: id ? decodeURIComponent(id) : undefined };
}

/**
 * Runs a /Bulk request (RFC 7644 §3.7) through the resources' own use cases, each operation in
 * its own transaction, audited as it would be alone: the request is not atomic, and its answer
 * says what each operation did. An operation may name a resource created by an earlier one of
 * the same request as `"bulkId:<id>"` (in its path or data): operations run in order, each once
 * every operation it refers to succeeded; one that refers to an unknown, failed or circular
 * bulkId fails with 409. After `failOnErrors` failures, the rest is not run.
 */
export async function runBulk(
  call: ScimCall,
  body: unknown,
  resources: Record<string, BulkResource>,
  onUnexpected: (err: unknown) => void,
): Promise<JsonObject> {
  const { operations, failOnErrors } = operationsOf(body);
  const ids = new Map<string, string>();
  const failed = new Set<string>();
  const outcomes = new Map<number, Outcome>();
  // Only a POST creates what a bulkId can stand for.
  const declared = new Set(
    operations
      .filter((op) => typeof op.method === 'string' && op.method.toUpperCase() === 'POST')
      .map((op) => op.bulkId),
  );
  let errors = 0;
  const fail = (op: Operation, err: unknown) => {
    errors += 1;
    if (typeof op.bulkId === 'string') failed.add(op.bulkId);
    if (!isAppError(err)) onUnexpected(err);
    const { status, body: response } = scimErrorOf(
      isAppError(err) ? err : (scimErrors.bulkFailed() as AppError),
    );
    outcomes.set(op.index, { ...described(op), status: String(status), response });
  };
  let pending = operations;
  while (pending.length > 0 && errors < failOnErrors) {
    const ready = pending.find((op) => [...op.refs].every((ref) => ids.has(ref)));
    const doomed = pending.find((op) =>
      [...op.refs].some((ref) => failed.has(ref) || !declared.has(ref)),
    );
    const next = ready ?? doomed ?? pending[0];
    if (!next) break;
    pending = pending.filter((op) => op !== next);
    if (next !== ready) {
      fail(
        next,
        scimErrors.bulkReference({
          detail: `an operation it refers to (${[...next.refs].join(', ')}) failed, does not exist or refers back to it`,
        }),
      );
      continue;
    }
    try {
      outcomes.set(next.index, await perform(next, call, ids, resources));
    } catch (err) {
      fail(next, err);
    }
  }
  return {
    schemas: [scimSchemas.bulkResponse],
    Operations: [...outcomes.entries()].sort(([a], [b]) => a - b).map(([, outcome]) => outcome),
  };
}

const described = (op: Operation): JsonObject => ({
  method: typeof op.method === 'string' ? op.method.toUpperCase() : op.method,
  ...(typeof op.bulkId === 'string' ? { bulkId: op.bulkId } : {}),
});

async function perform(
  op: Operation,
  call: ScimCall,
  ids: Map<string, string>,
  resources: Record<string, BulkResource>,
): Promise<Outcome> {
  const { method, resource, id } = targetOf(op, ids, resources);
  const data = resolved(op.data, ids);
  const ifMatch = op.version as string | undefined;
  if (method === 'DELETE') {
    await resource.remove(call, id as string, ifMatch);
    return { ...described(op), status: '204' };
  }
  const answer =
    method === 'POST'
      ? await resource.create(call, data)
      : method === 'PUT'
        ? await resource.replace(call, id as string, data, ifMatch)
        : await resource.patch(call, id as string, data, ifMatch);
  if (method === 'POST') ids.set(op.bulkId as string, String(answer.resource.id));
  return {
    ...described(op),
    location: (answer.resource.meta as { location: string }).location,
    version: answer.version,
    status: method === 'POST' ? '201' : '200',
  };
}
