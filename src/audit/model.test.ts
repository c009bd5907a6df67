import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bounded,
  canonicalEvent,
  contentOf,
  type EventContent,
  redacted,
  sanitizeDetails,
} from './model.ts';

describe('sanitizeDetails', () => {
  it('redacts secret-looking keys, camelCase and snake_case alike, and keeps the rest', () => {
    const out = sanitizeDetails({
      password: 'hunter2',
      newPassword: 'x',
      client_secret: 'x',
      refreshToken: 'x',
      totpSeed: 'x',
      privateKey: 'x',
      recoveryCodes: ['a', 'b'],
      apiKey: 'x',
      code: 'x',
      userCode: 'x',
      email: 'ada@example.com',
      tokenCount: 3,
      codeChallengeMethod: 'S256',
    });
    for (const key of [
      'password',
      'newPassword',
      'client_secret',
      'refreshToken',
      'totpSeed',
      'privateKey',
      'recoveryCodes',
      'apiKey',
      'code',
      'userCode',
    ])
      assert.equal(out[key], redacted, key);
    assert.equal(out.email, 'ada@example.com');
    assert.equal(out.tokenCount, 3, 'a key that only starts like a secret is kept');
    assert.equal(out.codeChallengeMethod, 'S256');
  });

  it('redacts secret-looking values under any key, also nested', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';
    const out = sanitizeDetails({
      note: jwt,
      header: 'Bearer abc.def',
      basic: 'Basic dXNlcjpwYXNz',
      pem: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
      nested: { list: [jwt, 'plain'] },
    });
    assert.deepEqual(out, {
      basic: redacted,
      header: redacted,
      nested: { list: [redacted, 'plain'] },
      note: redacted,
      pem: redacted,
    });
  });

  it('sorts keys, drops undefined, and makes values JSON-stable', () => {
    const out = sanitizeDetails({
      b: 1,
      a: undefined,
      c: new Date('2026-12-04T10:00:00Z'),
      d: Number.NaN,
      e: 10n,
      f: null,
      g: 'nul\u0000byte',
    });
    assert.deepEqual(Object.keys(out), ['b', 'c', 'd', 'e', 'f', 'g']);
    assert.deepEqual(out, {
      b: 1,
      c: '2026-12-04T10:00:00.000Z',
      d: 'NaN',
      e: '10',
      f: null,
      g: 'nulbyte',
    });
  });

  it('bounds strings, arrays, keys and depth', () => {
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${1000 + i}`, i]));
    const out = sanitizeDetails({
      long: 'x'.repeat(3000),
      list: Array.from({ length: 150 }, (_, i) => i),
      many,
      deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } },
    });
    assert.equal(out.long, `${'x'.repeat(2000)}…`);
    assert.equal((out.list as unknown[]).length, 100);
    assert.equal(Object.keys(out.many as object).length, 100);
    let level = out.deep as Record<string, unknown>;
    let depth = 0;
    while (typeof level === 'object') {
      level = Object.values(level)[0] as Record<string, unknown>;
      depth++;
    }
    assert.equal(level, '[truncated]');
    assert.equal(depth, 6);
  });
});

describe('bounded', () => {
  it('turns absent and empty into null and cuts long values', () => {
    assert.equal(bounded(undefined, 5), null);
    assert.equal(bounded('', 5), null);
    assert.equal(bounded('abcde', 5), 'abcde');
    assert.equal(bounded('abcdef', 5), 'abcde');
  });
});

describe('contentOf and canonicalEvent', () => {
  const occurredAt = new Date('2026-12-04T10:00:00.123Z');

  it('fills defaults: a system actor, success, sanitized details', () => {
    const content = contentOf({ orgId: 'o', action: 'user.created' }, 'e1', occurredAt, 'k1');
    assert.deepEqual(content, {
      id: 'e1',
      orgId: 'o',
      occurredAtMs: occurredAt.getTime(),
      actorType: 'system',
      actorId: null,
      actorIp: null,
      actorUa: null,
      action: 'user.created',
      targetType: null,
      targetId: null,
      outcome: 'success',
      requestId: null,
      details: '{}',
      macKeyId: 'k1',
    });
  });

  it('bounds the actor and target and redacts secrets in details', () => {
    const content = contentOf(
      {
        orgId: 'o',
        action: 'auth.login.failed',
        outcome: 'failure',
        actor: { type: 'user', id: 'u1', ip: '203.0.113.9', userAgent: 'x'.repeat(600) },
        target: { type: 'user', id: 'u1' },
        requestId: 'r1',
        details: { reason: 'wrong_password', password: 'hunter2' },
      },
      'e2',
      occurredAt,
      'k1',
    );
    assert.equal(content.actorUa?.length, 500);
    assert.equal(content.outcome, 'failure');
    assert.equal(content.details, JSON.stringify({ password: redacted, reason: 'wrong_password' }));
  });

  it('writes every MACed column, in order, so no two contents share canonical bytes', () => {
    const base = contentOf({ orgId: 'o', action: 'user.created' }, 'e1', occurredAt, 'k1');
    const canonical = JSON.parse(canonicalEvent(base)) as unknown[];
    assert.equal(canonical[0], 'v1');
    assert.equal(canonical.length, 15);
    // Changing any one column changes the bytes, also a null becoming the string "null".
    const seen = new Set([canonicalEvent(base)]);
    for (const key of Object.keys(base) as (keyof EventContent)[]) {
      const changed = { ...base, [key]: typeof base[key] === 'number' ? 1 : 'null' };
      seen.add(canonicalEvent(changed));
    }
    assert.equal(seen.size, Object.keys(base).length + 1);
    // Fields cannot bleed into each other: moving a dot between two columns changes the bytes.
    assert.notEqual(
      canonicalEvent({ ...base, targetType: 'a.b', targetId: 'c' }),
      canonicalEvent({ ...base, targetType: 'a', targetId: 'b.c' }),
    );
  });
});
