import type { AlertSeverity } from '../../../platform/index.ts';
import type { CheckContext, CheckOutcome, ControlException } from '../control.ts';
import { verdict } from '../control.ts';
import * as store from './operations.store.ts';
import { minute } from './operations-audit.ts';

const rank: Record<AlertSeverity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
const highOrWorse = (s: AlertSeverity) => rank[s] >= rank.high;

/** An alert of high severity must be acknowledged within a day. */
export const acknowledgeWithinHours = 24;
/** How far back alerts acknowledged too late count (an open one counts however old). */
export const alertLookbackDays = 30;

/**
 * The high and critical rules are on (at their severity), someone receives high alerts (an
 * alert manager by mail, or an enabled webhook endpoint), and none waited over a day.
 */
export async function checkAlerting({
  tx,
  orgId,
  now,
  sources,
}: CheckContext): Promise<CheckOutcome> {
  const exceptions: ControlException[] = [];
  const { rules, emailMinSeverity } = await sources.operations.alertRules(tx, orgId);
  for (const rule of rules.filter((r) => highOrWorse(r.defaultSeverity))) {
    if (!rule.enabled)
      exceptions.push({
        message: `alert rule ${rule.key} (${rule.defaultSeverity}) is turned off`,
        subject: { type: 'alert_rule', id: rule.key },
      });
    else if (!highOrWorse(rule.severity))
      exceptions.push({
        message: `alert rule ${rule.key} is lowered from ${rule.defaultSeverity} to ${rule.severity}`,
        subject: { type: 'alert_rule', id: rule.key },
      });
  }
  const managers = await sources.operations.alertManagers(tx, orgId);
  const mailed = managers.length > 0 && rank[emailMinSeverity] <= rank.high;
  const hooks = (await sources.operations.alertWebhooks(tx, orgId)).filter(
    (w) => w.enabled && rank[w.minSeverity] <= rank.high,
  );
  if (!mailed && hooks.length === 0)
    exceptions.push({
      message:
        managers.length === 0
          ? 'nobody receives high alerts: no one holds alerts.manage and no enabled webhook endpoint takes them'
          : `nobody receives high alerts: mail goes out from ${emailMinSeverity} only and no enabled webhook endpoint takes them`,
    });
  const since = new Date(now.getTime() - alertLookbackDays * 86_400_000);
  const maxWaitMs = acknowledgeWithinHours * 3_600_000;
  for (const alert of await store.slowAlerts(tx, orgId, since, now, maxWaitMs)) {
    const handledAt = alert.acknowledged_at ?? alert.resolved_at;
    const raised = `${alert.severity} alert "${alert.title}" (${alert.rule}) raised ${minute(alert.created_at)}`;
    exceptions.push({
      message: handledAt
        ? `${raised} was acknowledged only ${minute(handledAt)}, after more than ${acknowledgeWithinHours} hours`
        : `${raised} is still unacknowledged, after more than ${acknowledgeWithinHours} hours`,
      subject: { type: 'alert', id: alert.id },
    });
  }
  return verdict(exceptions, {
    pass: `the high and critical rules are on, ${managers.length} alert manager${managers.length === 1 ? '' : 's'} and ${hooks.length} webhook endpoint${hooks.length === 1 ? '' : 's'} receive them, and none waited over ${acknowledgeWithinHours} hours`,
    fail: (n) => `${n} problem${n === 1 ? '' : 's'} with alerting`,
  });
}
