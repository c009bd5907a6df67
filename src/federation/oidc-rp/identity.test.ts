import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityFromClaims, issuedInTheFuture } from './identity.ts';

const idToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln';

describe('OIDC claims to an upstream identity', () => {
  it('takes the email and its verification from the same answer', () => {
    // The ID token's unverified email is not rescued by UserInfo's email_verified.
    const identity = identityFromClaims(
      { sub: 's1', email: 'a@acme.test', email_verified: false },
      { sub: 's1', email: 'b@acme.test', email_verified: true },
      idToken,
      {},
    );
    assert.equal(identity.email, null);
    const fromUserinfo = identityFromClaims(
      { sub: 's1' },
      { sub: 's1', email: 'b@acme.test', email_verified: true },
      idToken,
      {},
    );
    assert.equal(fromUserinfo.email, 'b@acme.test');
  });

  it('reads a mapped email claim, refuses "false" as a string and what is not an email', () => {
    const mapped = { email: 'upn' };
    assert.equal(
      identityFromClaims({ sub: 's', upn: 'dana@acme.test' }, null, idToken, mapped).email,
      'dana@acme.test',
    );
    assert.equal(
      identityFromClaims(
        { sub: 's', email: 'x@acme.test', email_verified: 'false' },
        null,
        idToken,
        {},
      ).email,
      null,
    );
    for (const email of ['not-an-email', 'a b@acme.test', 42, ['a@acme.test']])
      assert.equal(identityFromClaims({ sub: 's', email }, null, idToken, {}).email, null);
  });

  it('names the person by the mapped claim, name, or given and family name', () => {
    assert.equal(
      identityFromClaims({ sub: 's', nick: ' Dee ', name: 'Dana' }, null, idToken, {
        displayName: 'nick',
      }).displayName,
      'Dee',
    );
    assert.equal(
      identityFromClaims({ sub: 's', given_name: 'Dana' }, null, idToken, {}).displayName,
      'Dana',
    );
    assert.equal(identityFromClaims({ sub: 's' }, null, idToken, {}).displayName, null);
  });

  it('refers to the proof by jti, else by the hash of the ID token', () => {
    assert.equal(identityFromClaims({ sub: 's', jti: 'j-1' }, null, idToken, {}).reference, 'j-1');
    const hashed = identityFromClaims({ sub: 's' }, null, idToken, {}).reference;
    assert.match(hashed, /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(hashed, identityFromClaims({ sub: 's' }, null, `${idToken}x`, {}).reference);
  });

  it('counts MFA from the ID token only, never from UserInfo', () => {
    const identity = identityFromClaims(
      { sub: 's', amr: ['pwd'] },
      { sub: 's', amr: ['mfa'] },
      idToken,
      {},
    );
    assert.equal(identity.mfa, false);
  });

  it('lists claims as strings for the audit, without the protocol’s own', () => {
    const { attributes } = identityFromClaims(
      { sub: 's', nonce: 'n', at_hash: 'h', groups: ['a', 'b'], address: { country: 'NZ' } },
      null,
      idToken,
      {},
    );
    assert.deepEqual(attributes, { sub: ['s'], groups: ['a', 'b'], address: ['{"country":"NZ"}'] });
  });

  it('finds an ID token issued in the future, past five minutes of clock skew', () => {
    const now = new Date('2026-12-05T12:00:00Z');
    const at = (seconds: number) => ({ sub: 's', iat: now.getTime() / 1000 + seconds });
    assert.equal(issuedInTheFuture(at(-60), now), false);
    assert.equal(issuedInTheFuture(at(300), now), false);
    assert.equal(issuedInTheFuture(at(301), now), true);
    assert.equal(issuedInTheFuture({ sub: 's' }, now), false);
  });
});
