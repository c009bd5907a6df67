import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  hashesInFlight,
  hashPassword,
  passwordHashing,
  passwordNeedsRehash,
  verifyPassword,
} from './password.ts';
import { constantTimeEqual } from './primitives.ts';
import { createSplitToken, parseSplitToken, splitTokenMatches } from './tokens.ts';

/** Runs an ES module script in a process of its own; returns what it prints, as JSON. */
async function runModule<T>(script: string, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script],
    { env },
  );
  return JSON.parse(stdout) as T;
}

describe('split tokens', () => {
  it('hand out id.secret once and keep only a SHA-256 of the secret', () => {
    const t = createSplitToken('tok_1');
    const { id, secret } = parseSplitToken(t.token);
    assert.equal(id, 'tok_1');
    assert.ok(secret.length >= 43, '256 bits of secret');
    assert.equal(t.secretHash.length, 32);
    assert.ok(!t.secretHash.toString('hex').includes(Buffer.from(secret).toString('hex')));
    assert.equal(splitTokenMatches(secret, t.secretHash), true);
    assert.equal(splitTokenMatches(`${secret}x`, t.secretHash), false);
    assert.notEqual(createSplitToken('tok_1').token, t.token);
  });

  it('read as null when malformed or not naming a UUID', async () => {
    const { readSplitToken } = await import('./tokens.ts');
    const t = createSplitToken('01a21818-0000-7000-8000-000000000000');
    assert.deepEqual(readSplitToken(t.token)?.id, t.id);
    for (const bad of ['', 'nodot', 'tok_1.secret', `${t.id}.`])
      assert.equal(readSplitToken(bad), null);
  });

  it('read a prefixed credential only with its prefix, and never match when no row was found', async () => {
    const { readPrefixedToken, useWorthRecording } = await import('./tokens.ts');
    const t = createSplitToken('01a21818-0000-7000-8000-000000000000');
    assert.deepEqual(readPrefixedToken(`vigil_scim_${t.token}`, 'vigil_scim_')?.id, t.id);
    assert.equal(readPrefixedToken(`vigil_${t.token}`, 'vigil_scim_'), null);
    assert.equal(readPrefixedToken('vigil_scim_nodot', 'vigil_scim_'), null);
    assert.equal(splitTokenMatches(parseSplitToken(t.token).secret, undefined), false);
    const now = new Date('2026-12-04T12:00:00Z');
    assert.equal(useWorthRecording(null, now), true);
    assert.equal(useWorthRecording(new Date(now.getTime() - 59_999), now), false);
    assert.equal(useWorthRecording(new Date(now.getTime() - 60_000), now), true);
  });

  it('reject malformed tokens', () => {
    for (const bad of ['', 'nodot', '.secret', 'id.', `id.${'x'.repeat(600)}`]) {
      assert.throws(() => parseSplitToken(bad), /malformed/);
    }
  });

  it('compare in constant time and treat different lengths as unequal', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('abc', 'abd'), false);
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
    assert.equal(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 2])), true);
  });
});

describe('secret randomness', () => {
  it("draws every secret from node:crypto, never from the ids' pool in platform", async (t) => {
    const { randomBytesOf } = await import('./primitives.ts');
    const { newId } = await import('../platform/index.ts');
    // The ids' pool refills through the Web Crypto global; secrets must not reach it.
    const refill = t.mock.method(globalThis.crypto, 'getRandomValues');
    const secrets = Array.from({ length: 300 }, (_, i) => randomBytesOf(i % 2 ? 32 : 20));
    assert.equal(refill.mock.callCount(), 0);
    assert.equal(new Set(secrets.map((s) => s.toString('hex'))).size, secrets.length);
    assert.equal(randomBytesOf(4096).length, 4096, 'any length, in one draw');
    for (let i = 0; i < 500; i++) newId();
    assert.ok(refill.mock.callCount() > 0, 'ids still come from the pool');
  });
});

describe('password hashing', () => {
  it('uses argon2id with m=19 MiB, t=2, p=1 and verifies NFKC-normalised input', async () => {
    const hash = await hashPassword('Ｃorrect horse 9!');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(hash, 'Correct horse 9!'), true);
    assert.equal(await verifyPassword(hash, 'Correct horse 9?'), false);
    assert.equal(await verifyPassword('not a hash', 'x'), false);
    assert.equal(passwordNeedsRehash(hash), false);
    assert.equal(passwordNeedsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA'), true);
  });

  it('hands the pool one hash per core, or two per thread when it has one thread per core', () => {
    assert.equal(hashesInFlight(4, 2), 2, "libuv's default pool on two cores: one per core");
    assert.equal(
      hashesInFlight(4, 16),
      8,
      'four threads on sixteen cores: one running, one queued',
    );
    assert.equal(hashesInFlight(1, 1), 2);
    assert.equal(hashesInFlight(2, 2), 4);
    assert.equal(hashesInFlight(8, 2), 2);
  });

  it('runs at most its limit of computations at a time, the others in arrival order', async () => {
    const limit = passwordHashing.limit();
    let inside = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) =>
      passwordHashing.run(async () => {
        peak = Math.max(peak, ++inside);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inside--;
        order.push(i);
        return i;
      });
    const count = limit * 3 + 1;
    const results = await Promise.all(Array.from({ length: count }, (_, i) => task(i)));
    assert.deepEqual(
      results,
      Array.from({ length: count }, (_, i) => i),
    );
    assert.equal(peak, limit);
    assert.deepEqual(
      order.slice(limit),
      Array.from({ length: count - limit }, (_, i) => i + limit),
    );
    assert.equal(passwordHashing.running, 0);
    // A failing computation frees its slot too.
    await assert.rejects(
      passwordHashing.run(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(passwordHashing.running, 0);
  });

  it('queues password verifications behind the same limit', async () => {
    const hash = await hashPassword('Correct horse 9!');
    const burst = Array.from({ length: passwordHashing.limit() + 2 }, () =>
      verifyPassword(hash, 'Correct horse 9!'),
    );
    assert.equal(passwordHashing.running, passwordHashing.limit());
    assert.equal(passwordHashing.waiting.length, 2);
    assert.deepEqual(
      await Promise.all(burst),
      burst.map(() => true),
    );
    assert.equal(passwordHashing.running, 0);
  });
});

describe("libuv's thread pool for hashing", () => {
  it('is sized to one thread per core before anything starts it, unless set already', async () => {
    const threadPool = fileURLToPath(new URL('../app/thread-pool.ts', import.meta.url));
    const script = `
      import { availableParallelism } from 'node:os';
      await import(${JSON.stringify(threadPool)});
      console.log(JSON.stringify({ size: process.env.UV_THREADPOOL_SIZE, cores: availableParallelism() }));`;
    const run = (env: NodeJS.ProcessEnv) => runModule<{ size: string; cores: number }>(script, env);
    const { UV_THREADPOOL_SIZE: _ignored, ...unset } = process.env;
    const sized = await run(unset);
    assert.equal(sized.size, String(sized.cores));
    assert.equal((await run({ ...unset, UV_THREADPOOL_SIZE: '3' })).size, '3');
    // Both entry points import it before anything else.
    for (const entry of ['../app/main.ts', '../app/cli.ts']) {
      const source = readFileSync(new URL(entry, import.meta.url), 'utf8');
      assert.match(source, /^(\/\/.*\n)*import '\.\/thread-pool\.ts';/, entry);
    }
  });
});

describe('HMAC-SHA-256 under a fixed key', () => {
  it('matches the RFC 4231 test vectors', async () => {
    const { hmacSha256, hmacSha256With } = await import('./primitives.ts');
    const vectors = [
      // Test case 1, 2 and 6 (a key longer than the block).
      [
        Buffer.alloc(20, 0x0b),
        'Hi There',
        'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      ],
      [
        Buffer.from('Jefe'),
        'what do ya want for nothing?',
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      ],
      [
        Buffer.alloc(131, 0xaa),
        'Test Using Larger Than Block-Size Key - Hash Key First',
        '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      ],
    ] as const;
    for (const [key, data, expected] of vectors) {
      assert.equal(hmacSha256With(key)(data).toString('hex'), expected);
      assert.equal(hmacSha256(key, data).toString('hex'), expected);
    }
  });
});
