import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { castsIn } from '../scripts/check-route-casts.ts';
import { answerOf } from '../src/http/api/index.ts';
import { defineRoute } from '../src/http/api/route.ts';
import { apiRoutes } from '../src/http/index.ts';

function routeOf(method: string, path: string) {
  const route = apiRoutes.find((r) => r.method === method && r.path === path);
  assert.ok(route, `${method} ${path} is in the table`);
  return route;
}

/** Every object of a JSON schema that lists properties but lets others through. */
function openObjects(node: unknown, at: string): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => openObjects(item, `${at}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  const here =
    'properties' in node &&
    (node as { additionalProperties?: unknown }).additionalProperties !== false
      ? [at]
      : [];
  return [
    ...here,
    ...Object.entries(node).flatMap(([key, value]) => openObjects(value, `${at}/${key}`)),
  ];
}

describe('admin API route contracts', () => {
  it('answers only what the response schema declares: a secret on the domain object never reaches the JSON', () => {
    const user = {
      id: '0190f5a4-0000-7000-8000-000000000001',
      orgId: '0190f5a4-0000-7000-8000-000000000002',
      email: 'ada@example.com',
      displayName: 'Ada',
      status: 'active',
      createdAt: new Date('2026-01-02T03:04:05.678Z'),
      updatedAt: new Date('2026-01-02T03:04:05.678Z'),
      deactivatedAt: null,
      // What a careless service could hand back: never part of the answer.
      passwordHash: '$argon2id$v=19$secret',
      secret_hash: new Uint8Array([1, 2, 3]),
    };
    const answer = answerOf(routeOf('GET', '/orgs/{orgId}/users/{userId}'), { body: user });
    assert.deepEqual(answer.body, {
      id: user.id,
      orgId: user.orgId,
      email: user.email,
      displayName: 'Ada',
      status: 'active',
      createdAt: '2026-01-02T03:04:05.678Z',
      updatedAt: '2026-01-02T03:04:05.678Z',
      deactivatedAt: null,
    });
    assert.doesNotMatch(JSON.stringify(answer.body), /secret|argon2|hash/i);
  });

  it('leaves answers of another content type (CSV, JSON Lines) as the handler gave them', () => {
    const route = routeOf('GET', '/orgs/{orgId}/exports/user-access');
    const csv = { type: 'text/csv', body: 'user_id,email\n' };
    assert.equal(answerOf(route, csv), csv);
  });

  it('refuses an answer that breaks its schema instead of sending it', () => {
    const route = routeOf('GET', '/orgs/{orgId}/users/{userId}');
    assert.throws(() => answerOf(route, { body: { id: 'not-a-user' } }), z.ZodError);
  });

  it('closes every object of every response schema, so parsing strips what is not declared', () => {
    const open = apiRoutes.flatMap((route) =>
      route.response
        ? openObjects(
            z.toJSONSchema(route.response, { io: 'output', unrepresentable: 'any' }),
            `${route.method} ${route.path}`,
          )
        : [],
    );
    assert.deepEqual(open, []);
  });

  it('names a cast of a call or an answer in a route module (npm run check runs it over them all)', () => {
    const module = [
      'const input = call.body;',
      'const { note } = call.body as { note: string };',
      'const q = call.query as z.output<typeof query>;',
      'return { body: user as unknown };',
    ].join('\n');
    assert.deepEqual(castsIn('routes/x.ts', module), [
      'routes/x.ts:2: const { note } = call.body as { note: string };',
      'routes/x.ts:3: const q = call.query as z.output<typeof query>;',
      'routes/x.ts:4: return { body: user as unknown };',
    ]);
  });

  it('types a handler from its route (checked by tsc): body and query as parsed, the path parameters, the answer', () => {
    const route = defineRoute({
      method: 'POST',
      path: '/orgs/{orgId}/things/{thingId}',
      summary: 'A route of this test only',
      permission: 'org.read',
      scope: 'org',
      query: z.object({ limit: z.coerce.number().default(5) }),
      body: z.object({ name: z.string() }),
      example: { name: 'lamp' },
      response: z.object({ id: z.string(), at: z.date().transform((d) => d.toISOString()) }),
      async handler(call) {
        const limit: number = call.query.limit;
        // @ts-expect-error a body field the schema does not declare
        call.body.colour;
        // @ts-expect-error a path parameter the path does not name
        call.params.userId;
        return {
          body: { id: `${call.params.thingId}:${call.body.name}:${limit}`, at: new Date(0) },
        };
      },
    });
    defineRoute({
      method: 'GET',
      path: '/orgs/{orgId}/things',
      summary: 'A route of this test only',
      permission: 'org.read',
      scope: 'org',
      // @ts-expect-error an example the body schema refuses
      example: { name: 1 },
      body: z.object({ name: z.string() }),
      response: z.object({ id: z.string() }),
      // @ts-expect-error an answer the response schema does not take
      async handler() {
        return { body: { id: 1 } };
      },
    });
    // What the table keeps of it: the schemas feed routing, OpenAPI and the access matrix.
    assert.equal(route.path, '/orgs/{orgId}/things/{thingId}');
    assert.ok(route.body && route.query && route.response);
  });
});
