import type { EventRule } from '../rule.ts';
import { findingOf, noThresholds } from './shared.ts';

/** Exceptions named in the alert itself; the event keeps the rest. */
const listed = 10;

/**
 * A live control check that passed now fails (docs/compliance.md): the organization (or the
 * platform) no longer meets a SOC 2 control, and an auditor will ask when it was noticed and
 * what was done. One alert per control until it is resolved.
 */
export const complianceControlFailed: EventRule<Record<string, never>> = {
  key: 'compliance.control_failed',
  name: 'A compliance control fails',
  description:
    'A live control check that passed (or had not run) now fails: the exceptions it lists are what an auditor would find. Recorded each time a control goes from pass to fail.',
  defaultSeverity: 'high',
  defaultThresholds: {},
  thresholdSchema: noThresholds,
  actions: ['compliance.control.failed'],
  windowed: false,
  async evaluate(_ctx, events) {
    return events.flatMap(({ event }) => {
      const d = event.details;
      const control = typeof d.control === 'string' ? d.control : event.target.id;
      if (!control) return [];
      const exceptions = Array.isArray(d.exceptions) ? d.exceptions : [];
      const count = typeof d.exceptionCount === 'number' ? d.exceptionCount : exceptions.length;
      return [
        findingOf(event, {
          dedupKey: `control:${control}`,
          title: `Control ${control} fails: ${String(d.summary ?? 'see the exceptions')}`,
          details: {
            control,
            criteria: Array.isArray(d.criteria) ? d.criteria : [],
            summary: d.summary ?? null,
            exceptions: exceptions.slice(0, listed),
            moreExceptions: Math.max(count - listed, 0),
          },
        }),
      ];
    });
  },
};
