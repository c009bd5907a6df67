import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compositionProblems, defaultPasswordPolicy, passwordPresets } from './model.ts';
import { temporaryPassword } from './temporary.ts';

describe('temporaryPassword', () => {
  it('meets the strictest composition rules at every minimum length', () => {
    const strictest = {
      ...defaultPasswordPolicy,
      requiredClasses: 4,
      requireLetterAndDigit: true,
    };
    for (let minLength = 8; minLength <= 64; minLength++) {
      const password = temporaryPassword(minLength);
      assert.ok(password.length >= Math.max(minLength, 23), `${minLength}: ${password}`);
      assert.deepEqual(compositionProblems(password, { ...strictest, minLength }), [], password);
    }
  });

  it('is groups of five unambiguous characters, different every time', () => {
    const drawn = new Set(Array.from({ length: 200 }, () => temporaryPassword(12)));
    assert.equal(drawn.size, 200);
    for (const password of drawn)
      assert.match(password, /^[A-HJ-NP-Za-km-z2-9]{5}(-[A-HJ-NP-Za-km-z2-9]{5}){3}$/);
  });

  it('is accepted by every preset', () => {
    for (const [name, preset] of Object.entries(passwordPresets))
      assert.deepEqual(compositionProblems(temporaryPassword(preset.minLength), preset), [], name);
  });
});
