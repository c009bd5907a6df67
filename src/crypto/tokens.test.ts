import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, passwordNeedsRehash, verifyPassword } from './password.ts';
import { constantTimeEqual } from './primitives.ts';
import { createSplitToken, parseSplitToken, splitTokenMatches } from './tokens.ts';

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
});
