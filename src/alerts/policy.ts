import { z } from 'zod';
import {
  type AlertSeverity,
  type AuditWriter,
  type ChangeFeed,
  type Clock,
  type Tx,
  type Versioned,
  versionedPolicy,
} from '../platform/index.ts';
import { allRules } from './catalog.ts';
import { severities } from './model.ts';
import type { AnyRule, RuleSettings } from './rule.ts';

const ruleSettingsSchema = z
  .object({
    enabled: z.boolean().optional(),
    severity: z.enum(severities).optional(),
    /** Only those given; the others keep the rule's defaults. */
    thresholds: z.record(z.string(), z.number()).optional(),
  })
  .strict();

/**
 * An organization's alert settings (docs/alerts.md#settings): per rule, on or off, its severity
 * and thresholds (each rule's schema bounds them), and the least severity mailed to its alert
 * managers. Rules not named run with their defaults; platform-wide checks (certificates) read
 * the platform organization's.
 */
export const alertPolicySchema = z
  .object({
    rules: z.record(z.string(), ruleSettingsSchema),
    emailMinSeverity: z.enum(severities),
  })
  .strict()
  .superRefine((policy, ctx) => {
    for (const [key, settings] of Object.entries(policy.rules)) {
      const rule = allRules().find((r) => r.key === key);
      if (!rule) {
        ctx.addIssue({ code: 'custom', path: ['rules', key], message: `no rule ${key}` });
        continue;
      }
      const merged = { ...rule.defaultThresholds, ...settings.thresholds };
      const parsed = rule.thresholdSchema.safeParse(merged);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({
            code: 'custom',
            path: ['rules', key, 'thresholds', ...issue.path.map(String)],
            message: issue.message,
          });
      }
    }
  });

export type AlertPolicy = z.output<typeof alertPolicySchema>;

/** Every rule on with its defaults; mail for high and critical alerts. */
export const defaultAlertPolicy: AlertPolicy = { rules: {}, emailMinSeverity: 'high' };

/** A rule's settings under an organization's policy: what it says, the rule's defaults otherwise. */
export function settingsOf(rule: AnyRule, policy: AlertPolicy): RuleSettings {
  const own = policy.rules[rule.key];
  return {
    enabled: own?.enabled ?? true,
    severity: (own?.severity ?? rule.defaultSeverity) as AlertSeverity,
    thresholds: { ...rule.defaultThresholds, ...own?.thresholds },
  };
}

/** The alert policy of each organization: versioned, every change audited (`policy.alerts.changed`). */
export function createAlertPolicy(deps: {
  audit: AuditWriter;
  clock: Clock;
  changes?: ChangeFeed;
}) {
  const policies = versionedPolicy({
    kind: 'alerts',
    schema: alertPolicySchema,
    defaults: defaultAlertPolicy,
    audit: deps.audit,
    clock: deps.clock,
    changes: deps.changes,
  });
  return {
    policy: (tx: Tx, orgId: string): Promise<Versioned<AlertPolicy>> => policies.current(tx, orgId),
    setPolicy: policies.set,
  };
}

export type AlertPolicyService = ReturnType<typeof createAlertPolicy>;
