import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ids from './ids.ts';

const { isUuid, newId } = ids;

describe('newId (UUIDv7)', () => {
  it('encodes the millisecond time in the first 48 bits, with version 7 and variant 10', () => {
    for (const now of [0, 1, 0xff_ffff, 1_795_710_094_123, 2 ** 48 - 1]) {
      const id = newId(now);
      assert.ok(isUuid(id), id);
      const hex = id.replaceAll('-', '');
      assert.equal(Number.parseInt(hex.slice(0, 12), 16), now);
      assert.equal(hex[12], '7');
      assert.match(hex[16] ?? '', /[89ab]/);
    }
  });

  it('never repeats, also across refills of the random pool, and sorts by time', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => newId(1_795_710_094_000 + i));
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
    // The 74 random bits differ between ids made in the same millisecond.
    const same = new Set(Array.from({ length: 1000 }, () => newId(42).slice(15)));
    assert.equal(same.size, 1000);
  });
});

describe('platform randomness', () => {
  it('hands out no random bytes: secrets are drawn by src/crypto (ADR 0012)', () => {
    assert.deepEqual(Object.keys(ids).sort(), ['isUuid', 'newId']);
  });
});
