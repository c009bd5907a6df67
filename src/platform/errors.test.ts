import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineErrors, isAppError, registeredErrors, statusOfKind } from './errors.ts';

describe('defineErrors', () => {
  const errors = defineErrors({
    plain: {
      code: 'example.plain',
      kind: 'not_found',
      message: 'No such thing',
      meaning: 'Nothing has this id.',
    },
    templated: {
      code: 'example.{reason}',
      kind: 'unavailable',
      message: 'Thing {id} is {state}',
      meaning: 'A family of codes, one per reason.',
      expose: true,
    },
  });

  it('raises an AppError with the definition’s code, kind and message', () => {
    const err = errors.plain();
    assert.ok(isAppError(err));
    assert.equal(err.code, 'example.plain');
    assert.equal(err.kind, 'not_found');
    assert.equal(err.message, 'No such thing');
    assert.equal(err.expose, true, 'a 4xx kind is exposed by default');
  });

  it('fills placeholders in the code and the message, and carries details and cause', () => {
    const cause = new Error('underneath');
    const err = errors.templated({
      reason: 'busy',
      id: 7,
      state: 'locked',
      details: { id: 7 },
      cause,
    });
    assert.equal(err.code, 'example.busy');
    assert.equal(err.message, 'Thing 7 is locked');
    assert.deepEqual(err.details, { id: 7 });
    assert.equal(err.cause, cause);
    assert.equal(err.expose, true, 'the definition overrides the kind’s default');
  });

  it('registers every definition for the generated list', () => {
    const codes = registeredErrors().map((d) => d.code);
    assert.ok(codes.includes('example.plain') && codes.includes('example.{reason}'));
  });

  it('has a status for every kind', () => {
    assert.equal(statusOfKind.not_found, 404);
    assert.equal(statusOfKind.precondition_required, 428);
  });
});
