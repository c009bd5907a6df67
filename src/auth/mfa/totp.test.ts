import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptTotp, totpCode, totpStep, totpUri } from './totp.ts';

// RFC 6238 Appendix B, SHA-1 with the 20-byte ASCII seed "12345678901234567890".
const seed = Buffer.from('12345678901234567890', 'ascii');
const vectors: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it('passes the RFC 6238 SHA-1 test vectors', () => {
    for (const [seconds, expected] of vectors) {
      assert.equal(
        totpCode(seed, new Date(seconds * 1000), { digits: 8 }),
        expected,
        `T=${seconds}`,
      );
    }
  });

  it('accepts the current code and ±1 step, and nothing further away', () => {
    const now = new Date(1_800_000_000_000);
    const step = totpStep(now);
    for (const offset of [-1, 0, 1]) {
      const code = totpCode(seed, new Date(now.getTime() + offset * 30_000));
      assert.equal(acceptTotp(seed, code, now, null), step + offset);
    }
    for (const offset of [-3, 3]) {
      assert.equal(
        acceptTotp(seed, totpCode(seed, new Date(now.getTime() + offset * 30_000)), now, null),
        null,
      );
    }
    assert.equal(acceptTotp(seed, 'abcdef', now, null), null);
  });

  it('refuses a code replayed within its step, and any older step', () => {
    const now = new Date(1_800_000_000_000);
    const code = totpCode(seed, now);
    const used = acceptTotp(seed, code, now, null);
    assert.notEqual(used, null);
    assert.equal(acceptTotp(seed, code, new Date(now.getTime() + 5_000), used), null);
    const previous = totpCode(seed, new Date(now.getTime() - 30_000));
    assert.equal(acceptTotp(seed, previous, now, used), null);
    const next = totpCode(seed, new Date(now.getTime() + 30_000));
    assert.equal(acceptTotp(seed, next, new Date(now.getTime() + 30_000), used), (used ?? 0) + 1);
  });

  it('builds an otpauth:// URI with SHA1, 6 digits, 30 s', () => {
    const uri = totpUri(seed, 'Vigil', 'ada@example.test');
    assert.match(uri, /^otpauth:\/\/totp\/Vigil:ada%40example\.test\?/);
    assert.match(uri, /algorithm=SHA1/);
    assert.match(uri, /digits=6/);
    assert.match(uri, /period=30/);
    assert.match(uri, /issuer=Vigil/);
  });
});
