import fc from 'fast-check';
import type { Operation } from './checks.ts';
import {
  badSegment,
  encode,
  type FuzzRequest,
  type FuzzWorld,
  fieldPairs,
  formBody,
  queryText,
} from './requests.ts';
import { hostileString, invalidValue, type JsonSchema, validValue } from './schema-arbitrary.ts';

function pathParamValue(name: string, world: FuzzWorld): fc.Arbitrary<string> {
  const valid =
    name === 'orgId'
      ? fc.constantFrom(...world.orgIds)
      : name === 'userId'
        ? fc.oneof(fc.constantFrom(...world.userIds), fc.uuid())
        : name === 'roleKey'
          ? fc.oneof(
              fc.constantFrom(...world.roleKeys),
              fc.stringMatching(/^[a-z][a-z0-9-]{1,20}$/),
            )
          : name === 'clientId'
            ? fc.oneof(fc.constant(world.clientId), fc.uuid())
            : fc.uuid();
  return fc.oneof(
    { weight: 9, arbitrary: valid.map(encode) },
    { weight: 1, arbitrary: badSegment },
  );
}

interface ParameterDoc {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema: JsonSchema;
}

interface OperationDoc extends Operation {
  parameters?: ParameterDoc[];
  requestBody?: { content: Record<string, { schema: JsonSchema; example?: unknown }> };
}

/** Requests for one operation of the document: mostly valid, deliberately invalid in part. */
function operationRequest(
  world: FuzzWorld,
  template: string,
  method: string,
  op: OperationDoc,
): fc.Arbitrary<FuzzRequest> {
  const { document } = world;
  const params = op.parameters ?? [];
  const path = fc
    .tuple(
      ...params
        .filter((p) => p.in === 'path')
        .map((p) => pathParamValue(p.name, world).map((v) => [p.name, v] as const)),
    )
    .map((values) =>
      values.reduce((url, [name, value]) => url.replace(`{${name}}`, value), template),
    );
  const queryPairs = fc
    .tuple(
      ...params
        .filter((p) => p.in === 'query')
        .map((p) => {
          const value = fc.oneof(
            { weight: 6, arbitrary: validValue(p.schema, document).map(queryText) },
            { weight: 2, arbitrary: invalidValue(p.schema, document).map(queryText) },
          );
          return fieldPairs(p.name, value);
        }),
      // Now and then a parameter the operation does not have.
      fc.oneof(
        { weight: 9, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(hostileString, hostileString) },
      ),
    )
    .map((lists) => {
      const extra = lists.pop() as [string, string] | null;
      const pairs = (lists as [string, string][][]).flat();
      return extra ? [...pairs, extra] : pairs;
    });
  const media = op.requestBody?.content['application/json'];
  const body: fc.Arbitrary<string | undefined> = media
    ? fc.oneof(
        { weight: 3, arbitrary: validValue(media.schema, document).map((v) => JSON.stringify(v)) },
        { weight: 2, arbitrary: fc.constant(JSON.stringify(media.example ?? {})) },
        {
          weight: 4,
          arbitrary: invalidValue(media.schema, document).map((v) => JSON.stringify(v)),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '{"a":',
            '',
            'null',
            '[]',
            '"\\u0000"',
            '{"__proto__":{"x":1}}',
          ),
        },
      )
    : fc.constant(undefined);
  const ifMatch = fc.option(
    fc.constantFrom('W/"v0"', 'W/"v1"', 'W/"v2"', '*', 'W/"v99999999999999999"', 'nonsense'),
    {
      freq: 4,
    },
  );
  const contentType = fc.oneof(
    { weight: 9, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded') },
  );
  return fc
    .record({
      path,
      queryPairs,
      body,
      authorization: fc.oneof(
        ...world.authorizations.map(([weight, value]) => ({
          weight,
          arbitrary: fc.constant(value),
        })),
      ),
      ifMatch,
      contentType,
    })
    .map((r) => {
      const query = r.queryPairs.length > 0 ? `?${formBody(r.queryPairs)}` : '';
      const headers: Record<string, string> = {};
      if (r.authorization) headers.authorization = r.authorization;
      if (r.ifMatch) headers['if-match'] = r.ifMatch;
      if (r.body !== undefined) headers['content-type'] = r.contentType;
      return {
        family: 'api',
        label: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        path: `${r.path}${query}`,
        headers,
        ...(r.body !== undefined ? { body: r.body } : {}),
        operation: op,
      } satisfies FuzzRequest;
    });
}

/** Every operation of the admin API's document, each as likely as the others. */
export function apiRequests(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const paths = world.document.paths as Record<string, Record<string, OperationDoc>>;
  const operations = Object.entries(paths).flatMap(([template, ops]) =>
    Object.entries(ops).map(([method, op]) => operationRequest(world, template, method, op)),
  );
  return fc.oneof(...operations);
}
