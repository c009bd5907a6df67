import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openApiDocument } from '../src/http/api/openapi.ts';
import { apiRoutes } from '../src/http/index.ts';
import {
  type Answer,
  basicProblems,
  createResponseChecker,
  requiredHeaders,
} from './support/fuzz/checks.ts';
import { runFuzz } from './support/fuzz/index.ts';

/** The in-suite run: fixed, so a failure reproduces with `npm run fuzz -- --runs 3000 --seed 16`. */
const runs = 3000;
const seed = 16;

const guarded = Object.fromEntries(requiredHeaders.map((name) => [name, 'x']));
const guardedHeaders = { ...guarded, 'x-content-type-options': 'nosniff' };

describe('fuzzer checks', () => {
  const document = openApiDocument(apiRoutes, 'https://vigil.test');
  const check = createResponseChecker(document);
  const operation = document.paths['/api/v1/orgs/{orgId}/users']?.post as Parameters<
    typeof check
  >[0];
  const problem = {
    type: 'https://vigil.dev/problems/api.invalid_body',
    title: 'Bad Request',
    status: 400,
    code: 'api.invalid_body',
    requestId: 'r',
    instance: '/api/v1/orgs/x/users',
    errors: [{ path: 'email', message: 'Invalid email address' }],
  };
  const answer = (status: number, type: string, body: unknown): Answer => ({
    status,
    headers: { ...guardedHeaders, 'content-type': type },
    text: JSON.stringify(body),
  });

  it('flags a server error and every missing security header', () => {
    assert.deepEqual(basicProblems(answer(400, 'application/problem+json', problem)), []);
    assert.deepEqual(basicProblems({ status: 502, headers: {}, text: '' }), [
      'status 502',
      ...requiredHeaders.map((name) => `no ${name} header`),
    ]);
  });

  it('holds API answers to the document: documented status, content type and schema', () => {
    assert.ok(operation);
    assert.deepEqual(check(operation, answer(400, 'application/problem+json', problem)), []);
    assert.deepEqual(check(operation, answer(418, 'application/problem+json', problem)), [
      'status 418 is not documented',
    ]);
    assert.match(check(operation, answer(400, 'text/plain', problem))[0] ?? '', /content type/);
    const extra = check(
      operation,
      answer(400, 'application/problem+json', { ...problem, path: '/x' }),
    );
    assert.match(extra[0] ?? '', /additional properties/);
    const created = check(operation, answer(201, 'application/json', { id: 'not-a-user' }));
    assert.match(created[0] ?? '', /breaks the schema/);
  });
});

describe('fuzzer', () => {
  it(`sends ${runs} generated requests (admin API, hosted forms, OAuth): no 5xx, every answer guarded and as documented`, async () => {
    const result = await runFuzz({ runs, seed });
    assert.equal(result.sent, runs);
    assert.deepEqual(result.failures, [], `${result.failureCount} failures`);
    // It reached every family, and past validation into the handlers.
    for (const family of ['api', 'form', 'oauth'] as const)
      assert.ok(result.byFamily[family] > runs / 10);
    const succeeded = Object.entries(result.byStatus)
      .filter(([status]) => status.startsWith('2'))
      .reduce((sum, [, n]) => sum + n, 0);
    assert.ok(succeeded > runs / 20, `only ${succeeded} answers were 2xx`);
  });
});
