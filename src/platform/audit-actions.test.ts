import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditActions } from './audit-actions.ts';

describe('auditActions', () => {
  it('names every action in dotted lowercase, at least two parts, up to 100 characters', () => {
    for (const action of Object.keys(auditActions))
      assert.match(action, /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, action);
    for (const action of Object.keys(auditActions)) assert.ok(action.length <= 100, action);
  });

  it('describes every action in one sentence or two that names the target', () => {
    for (const [action, description] of Object.entries(auditActions)) {
      assert.doesNotMatch(description, /\n/, action);
      assert.match(description, /(Target: |No target)/, action);
    }
  });
});
