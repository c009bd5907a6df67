import type { ControlStatus, Tx } from '../../platform/index.ts';
import type { Criterion } from './criteria.ts';
import type { CheckSources } from './sources.ts';

export type { ControlStatus };

/** Something a check found wrong: one line an auditor reads, and what it is about. */
export interface ControlException {
  message: string;
  subject?: { type: string; id: string };
}

/** What a live check answers (docs/compliance.md#checks). */
export interface CheckOutcome {
  status: ControlStatus;
  /** One sentence: what was checked and the verdict (`3 administrators of acme have no second factor`). */
  summary: string;
  /** Every exception (empty on pass and not applicable), in a stable order. */
  exceptions: ControlException[];
}

/**
 * Where a control is checked: in each organization (its policies, users, roles), or once for the
 * whole installation (keys, TLS, the database), under the platform organization.
 */
export type ControlScope = 'org' | 'platform';

export interface CheckContext {
  /** An organization-scope transaction for `org` controls, a platform one for `platform` controls. */
  tx: Tx;
  /** The organization checked (the platform organization for `platform` controls). */
  orgId: string;
  now: Date;
  sources: CheckSources;
}

/** A control of the catalog (controls/catalog.ts): what an auditor reads, and its live check. */
export interface Control {
  /** Stable, kebab-case: `password-policy`. */
  id: string;
  title: string;
  /** What the control is and how Vigil operates it, for an auditor (a short paragraph). */
  description: string;
  /** What the live check tests, in one or two sentences. */
  test: string;
  criteria: Criterion[];
  scope: ControlScope;
  /** The evidence pack's files that prove it (names from evidence/layout.ts). */
  evidence: string[];
  check(ctx: CheckContext): Promise<CheckOutcome>;
}

export const pass = (summary: string): CheckOutcome => ({
  status: 'pass',
  summary,
  exceptions: [],
});
export const notApplicable = (summary: string): CheckOutcome => ({
  status: 'not_applicable',
  summary,
  exceptions: [],
});
/** Fails when there are exceptions, passes otherwise. */
export const verdict = (
  exceptions: ControlException[],
  summaries: { pass: string; fail: (count: number) => string },
): CheckOutcome =>
  exceptions.length === 0
    ? pass(summaries.pass)
    : { status: 'fail', summary: summaries.fail(exceptions.length), exceptions };
