import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passwordProblems, soc2Baseline } from './model.ts';

describe('default password policy (soc2-baseline)', () => {
  it('accepts a long password with three character classes, spaces included', () => {
    assert.deepEqual(passwordProblems('correct Horse battery 9'), []);
    assert.deepEqual(passwordProblems('Ünïcödé pässwörd 42'), []);
  });

  it('lists every broken rule at once', () => {
    const problems = passwordProblems('short');
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /at least 12 characters/);
    assert.match(problems[1] ?? '', /at least 3 of/);
  });

  it('refuses too-long passwords, control characters and context words', () => {
    assert.match(passwordProblems(`Aa1${'x'.repeat(200)}`).join(' '), /at most 128/);
    assert.match(passwordProblems('Abcdefgh1234\u0007').join(' '), /Control characters/);
    assert.match(
      passwordProblems('Margaret-Secure-2026', soc2Baseline, {
        email: 'margaret@example.com',
      }).join(' '),
      /name, email address or organization/,
    );
  });

  it('counts characters after NFKC normalisation, not UTF-16 units', () => {
    // 11 emoji are 22 UTF-16 units but 11 characters: too short.
    assert.match(passwordProblems('😀'.repeat(11)).join(' '), /has 11/);
  });
});
