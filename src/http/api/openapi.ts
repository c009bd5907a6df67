import { z } from 'zod';
import { type ApiRoute, roleKeyPattern } from './route.ts';

/** The problem document (RFC 9457) every error answers with. */
const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  /** The path of the request (left out when the path itself was refused). */
  instance: z.string().optional(),
  code: z.string(),
  requestId: z.string(),
  /** For bad input: every failed field (`{ path, message }`) or broken rule. */
  errors: z.array(z.unknown()).optional(),
});

const json = (schema: z.ZodType) => ({
  'application/json': { schema: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) },
});

/** A route that answers 204 without a body (its response schema is `z.undefined()`). */
const bodiless = (route: ApiRoute) => route.response instanceof z.ZodUndefined;

/** Path parameters: ids are UUIDs; a role key is a slug. */
export function pathParamSchema(name: string): Record<string, unknown> {
  return name.endsWith('Id')
    ? { type: 'string', format: 'uuid' }
    : { type: 'string', pattern: roleKeyPattern.source };
}

/** OpenAPI 3.1 of the admin API, generated from the route table (the one source). */
export function openApiDocument(routes: ApiRoute[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const problemResponse = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  });
  for (const route of routes) {
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: pathParamSchema(m[1] ?? ''),
    }));
    const queryParams = Object.entries(route.query?.shape ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: !(schema as z.ZodType).safeParse(undefined).success,
      schema: z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }),
    }));
    const operation = {
      summary: route.summary,
      operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(\w)/g, (_, c: string) => c.toUpperCase())}`,
      'x-permission': route.permission,
      security: [{ bearer: [] }],
      parameters: [...pathParams, ...queryParams],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  ...json(route.body)['application/json'],
                  ...(route.example ? { example: route.example } : {}),
                },
              },
            },
          }
        : {}),
      responses: {
        '2XX': bodiless(route)
          ? { description: 'Done (no content)' }
          : {
              description: 'Done',
              content: {
                ...(route.response ? json(route.response) : {}),
                ...Object.fromEntries(
                  (route.alternatives ?? []).map((type) => [type, { schema: { type: 'string' } }]),
                ),
              },
            },
        '400': problemResponse('The request is not valid'),
        '401': problemResponse('No valid API key or access token'),
        '403': problemResponse(`Needs ${route.permission} in the organization`),
        '404': problemResponse('Not found'),
        ...(pathParams.length > 0
          ? { '414': problemResponse('A path parameter is longer than 100 characters') }
          : {}),
        ...(route.method === 'GET'
          ? {}
          : {
              '409': problemResponse('Conflicts with the current state (or a concurrent change)'),
            }),
        ...(route.conditional
          ? {
              '412': problemResponse('If-Match does not match the current version'),
              '428': problemResponse('If-Match is required'),
            }
          : {}),
      },
    };
    const path = `/api/v1${route.path}`;
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil admin API',
      version: '1',
      description:
        'Administration of organizations, users, roles and access (docs/admin-api.md). Every error is an RFC 9457 problem document.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Problem: z.toJSONSchema(problem) },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key (`vigil_…`) or an ES256 access token issued by Vigil for the resource `<issuer>/api/v1`.',
        },
      },
    },
  };
}
