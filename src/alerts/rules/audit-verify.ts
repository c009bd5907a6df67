import type { EventRule } from '../rule.ts';
import { findingOf, noThresholds } from './shared.ts';

/** Problems named in the alert itself; the event keeps the rest. */
const listed = 10;

/** `audit verify` (scheduled, API or CLI run) found the log tampered with or broken. */
export const auditVerifyFailed: EventRule<Record<string, never>> = {
  key: 'audit.verify_failed',
  name: 'Audit log verification failed',
  description:
    'A verification of the audit log found events or seal blocks that fail their check: someone changed or removed history, or the log is damaged. Every alert after this one is worth less until it is explained.',
  defaultSeverity: 'critical',
  defaultThresholds: {},
  thresholdSchema: noThresholds,
  actions: ['audit.verified'],
  windowed: false,
  async evaluate(_ctx, events) {
    return events.flatMap(({ event }) => {
      if (event.outcome !== 'failure') return [];
      const d = event.details;
      const problems = Array.isArray(d.problems) ? d.problems : [];
      return [
        findingOf(event, {
          dedupKey: 'audit-log',
          title: 'The audit log failed verification',
          details: {
            ranAt: d.ranAt ?? null,
            checkedEvents: d.checkedEvents ?? null,
            problems: problems.slice(0, listed),
            moreProblems: Number(d.moreProblems ?? 0) + Math.max(problems.length - listed, 0),
            otherProblems: d.otherProblems ?? 0,
          },
        }),
      ];
    });
  },
};
