import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { isAppError, platformErrors } from './errors.ts';
import { isCleanText, parseInput } from './validate.ts';

describe('parseInput', () => {
  const schema = z.object({ email: z.email(), name: z.string().min(1) });

  it('returns the parsed value', () => {
    assert.deepEqual(
      parseInput(schema, { email: 'a@b.test', name: 'A' }, platformErrors.policyInvalid),
      {
        email: 'a@b.test',
        name: 'A',
      },
    );
  });

  it('throws an invalid AppError naming the first bad field and listing all of them', () => {
    try {
      parseInput(schema, { email: 'nope', name: '' }, platformErrors.policyInvalid);
      assert.fail('expected a throw');
    } catch (err) {
      assert.ok(isAppError(err));
      assert.equal(err.kind, 'invalid');
      assert.equal(err.code, 'policy.invalid');
      assert.match(err.message, /^email: /);
      assert.deepEqual(
        (err.details.errors as { path: string }[]).map((e) => e.path),
        ['email', 'name'],
      );
    }
  });

  it('refuses a control character anywhere in the input, keys included, naming each place', () => {
    const loose = z.object({ name: z.string(), tags: z.array(z.string()) }).loose();
    for (const [input, paths] of [
      [{ name: 'a\u0000b', tags: [] }, ['name']],
      [{ name: 'ok', tags: ['fine', 'bell\u0007'] }, ['tags.1']],
      [{ name: 'ok', tags: [], 'k\u0000': 1 }, ['k\u0000']],
      [{ name: 'lone \ud800', tags: [] }, ['name']],
    ] as const) {
      try {
        parseInput(loose, input, platformErrors.policyInvalid);
        assert.fail(`expected a throw for ${JSON.stringify(input)}`);
      } catch (err) {
        assert.ok(isAppError(err), String(err));
        assert.equal(err.kind, 'invalid');
        assert.deepEqual(
          (err.details.errors as { path: string }[]).map((e) => e.path),
          paths,
        );
      }
    }
  });
});

describe('isCleanText', () => {
  it('takes text with tabs, line breaks and any script, not controls or lone surrogates', () => {
    for (const text of ['Dana Scully', 'line one\r\nline two\tend', 'Zoë 東京 🙂', '']) {
      assert.equal(isCleanText(text), true, JSON.stringify(text));
    }
    for (const text of ['\u0000', 'a\u001bb', '\u007f', '\u0085', '\udc00x']) {
      assert.equal(isCleanText(text), false, JSON.stringify(text));
    }
  });
});
