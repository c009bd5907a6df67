import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFor } from './verification.ts';
import type { Finding, VerifyReport } from './verify.ts';

const acme = '01a24219-0000-7000-8000-000000000001';
const other = '01a24219-0000-7000-8000-000000000002';
const ranAt = new Date('2026-12-04T17:00:00Z');

const report = (findings: Finding[]): VerifyReport => ({
  ok: findings.length === 0,
  events: 10,
  blocks: 2,
  pending: 1,
  archived: 0,
  lastSealedAt: new Date('2026-12-04T16:59:59Z'),
  findings,
});

describe('runFor: what one organization is told of a verification of the whole log', () => {
  it('shows its own events, and blocks and deleted rows without an event id; counts the rest', () => {
    const run = runFor(
      acme,
      report([
        { kind: 'altered', eventId: 'e1', orgId: acme, message: 'event e1 (user.created) ...' },
        { kind: 'altered', eventId: 'e2', orgId: other, message: 'event e2 (user.created) ...' },
        { kind: 'inserted', eventId: 'e3', orgId: other, block: '2', message: 'event e3 ...' },
        { kind: 'deleted', eventId: 'e4', block: '1', message: 'event e4 was sealed ...' },
        { kind: 'block_altered', block: '2', message: 'seal block 2 has an invalid signature' },
      ]),
      ranAt,
    );
    assert.equal(run.ok, false);
    assert.deepEqual(run.problems, [
      { kind: 'altered', eventId: 'e1', block: null, message: 'event e1 (user.created) ...' },
      { kind: 'deleted', eventId: null, block: '1', message: 'an event sealed in block 1 is gone' },
      {
        kind: 'block_altered',
        eventId: null,
        block: '2',
        message: 'seal block 2 has an invalid signature',
      },
    ]);
    assert.equal(run.otherProblems, 2);
    assert.ok(!JSON.stringify(run).includes('e4'));
  });

  it('reports an intact log with its counts, and lists at most 100 problems, counting the rest', () => {
    assert.deepEqual(runFor(acme, report([]), ranAt), {
      ok: true,
      ranAt,
      checkedEvents: 10,
      sealBlocks: 2,
      pendingEvents: 1,
      lastSealedAt: new Date('2026-12-04T16:59:59Z'),
      problems: [],
      moreProblems: 0,
      otherProblems: 0,
    });
    const many = Array.from(
      { length: 150 },
      (_, i): Finding => ({
        kind: 'altered',
        eventId: `e${i}`,
        orgId: acme,
        message: `event e${i}`,
      }),
    );
    const listed = runFor(acme, report(many), ranAt);
    assert.equal(listed.problems.length, 100);
    assert.equal(listed.moreProblems, 50);
  });
});
