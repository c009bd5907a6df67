import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { isAppError } from './errors.ts';
import { parseInput } from './validate.ts';

describe('parseInput', () => {
  const schema = z.object({ email: z.email(), name: z.string().min(1) });

  it('returns the parsed value', () => {
    assert.deepEqual(parseInput(schema, { email: 'a@b.test', name: 'A' }, 'x.invalid'), {
      email: 'a@b.test',
      name: 'A',
    });
  });

  it('throws an invalid AppError naming the first bad field and listing all of them', () => {
    try {
      parseInput(schema, { email: 'nope', name: '' }, 'user.invalid');
      assert.fail('expected a throw');
    } catch (err) {
      assert.ok(isAppError(err));
      assert.equal(err.kind, 'invalid');
      assert.equal(err.code, 'user.invalid');
      assert.match(err.message, /^email: /);
      assert.deepEqual(
        (err.details.errors as { path: string }[]).map((e) => e.path),
        ['email', 'name'],
      );
    }
  });
});
