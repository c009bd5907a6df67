import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compositionProblems,
  passwordExpired,
  passwordPolicySchema,
  passwordPresets,
  passwordTooYoung,
  defaultPasswordPolicy as soc2,
} from './model.ts';

const nist = passwordPresets['nist-800-63b-4'];
const pci = passwordPresets['pci-dss-4'];

describe('password policy presets', () => {
  it('are valid policies with the documented rules', () => {
    for (const preset of Object.values(passwordPresets)) passwordPolicySchema.parse(preset);
    assert.deepEqual([soc2.minLength, soc2.requiredClasses, soc2.history], [12, 3, 5]);
    assert.deepEqual(
      [nist.minLength, nist.minLengthWithMfa, nist.requiredClasses, nist.maxAgeDays],
      [15, 8, 0, null],
    );
    assert.deepEqual(
      [pci.minLength, pci.requireLetterAndDigit, pci.history, pci.maxAgeDays],
      [12, true, 4, 90],
    );
  });

  it('soc2-baseline accepts 12+ characters with 3 classes, spaces and any printable character', () => {
    assert.deepEqual(compositionProblems('correct Horse battery 9', soc2), []);
    assert.deepEqual(compositionProblems('Ünïcödé pässwörd 42', soc2), []);
  });

  it('lists every broken rule at once, in plain words', () => {
    const problems = compositionProblems('short', soc2);
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /at least 12 characters \(this one has 5\)/);
    assert.match(problems[1] ?? '', /at least 3 of/);
  });

  it('refuses too-long passwords, control characters, context and blocked words', () => {
    assert.match(compositionProblems(`Aa1${'x'.repeat(200)}`, soc2).join(' '), /at most 128/);
    assert.match(compositionProblems('Abcdefgh1234\u0007', soc2).join(' '), /Control characters/);
    assert.match(
      compositionProblems('Margaret-Secure-2026', soc2, { email: 'margaret@example.com' }).join(
        ' ',
      ),
      /name, email address, organization name/,
    );
    assert.match(
      compositionProblems('Umbrella-Corp-2026!', soc2, { orgName: 'Umbrella Corp' }).join(' '),
      /organization name/,
    );
    const custom = { ...soc2, blockedWords: ['initech'] };
    assert.match(compositionProblems('MyInitech-Pass-1', custom).join(' '), /blocked words/);
  });

  it('NIST: 15 without MFA, 8 with MFA enforced, no composition rule', () => {
    assert.match(compositionProblems('longenoughpass', nist).join(' '), /at least 15/);
    assert.deepEqual(compositionProblems('longenoughpasss', nist), []);
    assert.deepEqual(compositionProblems('eightchr', nist, { hasMfa: true }), []);
  });

  it('PCI: letters and digits', () => {
    assert.match(
      compositionProblems('only-letters-here', pci).join(' '),
      /one letter and one digit/,
    );
    assert.deepEqual(compositionProblems('letters-and-d1gits', pci), []);
  });

  it('counts characters after NFKC normalisation, not UTF-16 units', () => {
    assert.match(compositionProblems('😀'.repeat(11), soc2).join(' '), /has 11/);
  });

  it('decides expiry (PCI: only without MFA) and minimum age', () => {
    const set = new Date('2026-01-01T00:00:00Z');
    const day = 86_400_000;
    assert.equal(passwordExpired(pci, set, new Date(set.getTime() + 89 * day), false), false);
    assert.equal(passwordExpired(pci, set, new Date(set.getTime() + 90 * day), false), true);
    assert.equal(passwordExpired(pci, set, new Date(set.getTime() + 900 * day), true), false);
    assert.equal(passwordExpired(soc2, set, new Date(set.getTime() + 900 * day), false), false);
    assert.equal(passwordTooYoung(soc2, set, new Date(set.getTime() + 23 * 3_600_000)), true);
    assert.equal(passwordTooYoung(soc2, set, new Date(set.getTime() + 24 * 3_600_000)), false);
    assert.equal(passwordTooYoung(nist, set, set), false);
  });

  it('rejects inconsistent settings', () => {
    assert.throws(
      () => passwordPolicySchema.parse({ ...nist, minLengthWithMfa: 20 }),
      /minLengthWithMfa/,
    );
    assert.throws(() => passwordPolicySchema.parse({ ...soc2, maxLength: 64 }));
    assert.throws(() => passwordPolicySchema.parse({ ...soc2, extra: true }));
  });
});
