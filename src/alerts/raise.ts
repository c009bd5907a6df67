import {
  type AlertSeverity,
  type AuditActor,
  type AuditWriter,
  type Clock,
  newId,
  type Tx,
} from '../platform/index.ts';
import * as store from './alerts.store.ts';
import { type Alert, alertJson, atLeast, maxEventIds, moreSevere } from './model.ts';
import type { AlertPolicy } from './policy.ts';
import type { Finding } from './rule.ts';

/** Who raises alerts in the audit log. */
export const alertRulesActor: AuditActor = { type: 'system', id: 'alert-rules' };

export const alertOf = (row: store.AlertRow): Alert => ({
  id: row.id,
  orgId: row.org_id,
  rule: row.rule,
  severity: row.severity,
  title: row.title,
  details: row.details as Record<string, unknown>,
  subjectUserId: row.subject_user_id,
  eventCount: row.event_count,
  eventIds: row.event_ids,
  firstSeenAt: row.first_seen_at,
  lastSeenAt: row.last_seen_at,
  status: row.status,
  assigneeId: row.assignee_id,
  acknowledgedAt: row.acknowledged_at,
  acknowledgedBy: row.acknowledged_by,
  resolvedAt: row.resolved_at,
  resolvedBy: row.resolved_by,
  resolutionNote: row.resolution_note,
});

export interface RaiseDeps {
  audit: AuditWriter;
  clock: Clock;
  /** The users of an organization holding alerts.manage (they are mailed). */
  alertManagers(tx: Tx, orgId: string): Promise<string[]>;
  /** The console's origin, for the link in a mail. */
  publicUrl: string;
}

/** A finding of a rule, with the severity its organization's settings give it. */
export interface RatedFinding extends Finding {
  rule: string;
  severity: AlertSeverity;
}

/** The mail to the alert managers: JSON {subject, text}, sent by the delivery worker. */
function mailPayload(alert: Alert, publicUrl: string): string {
  const text = [
    `A ${alert.severity} alert was raised by the rule ${alert.rule}:`,
    '',
    alert.title,
    '',
    ...Object.entries(alert.details).map(([k, v]) => `${k}: ${JSON.stringify(v)}`),
    '',
    `Events so far: ${alert.eventCount}; first ${alert.firstSeenAt.toISOString()}, last ${alert.lastSeenAt.toISOString()}.`,
    `Open it in the console: ${publicUrl}/admin/orgs/${alert.orgId}/alerts/${alert.id}`,
  ].join('\n');
  return JSON.stringify({ subject: `[Vigil] ${alert.severity} alert: ${alert.title}`, text });
}

/**
 * Turns findings into alerts in the round's transaction (docs/alerts.md#grouping): a finding
 * whose dedup key has an unresolved alert grows it; otherwise a new alert is raised, audited
 * (`alert.raised`) and queued for delivery (mail from `emailMinSeverity`, each enabled webhook
 * from its own minimum). A grown alert is delivered again only when its severity rose.
 */
export function createRaiser(deps: RaiseDeps) {
  async function enqueue(tx: Tx, alert: Alert, policy: AlertPolicy): Promise<number> {
    const now = deps.clock.now();
    const base = { org_id: alert.orgId, alert_id: alert.id, status: 'pending' as const };
    const rows = [];
    if (atLeast(alert.severity, policy.emailMinSeverity)) {
      const managers = await deps.alertManagers(tx, alert.orgId);
      const payload = mailPayload(alert, deps.publicUrl);
      for (const user of await store.activeUsersAmong(tx, alert.orgId, managers))
        rows.push({ ...base, channel: 'email' as const, recipient: user.email, payload });
    }
    const body = JSON.stringify({
      type: 'alert.raised',
      timestamp: now.toISOString(),
      data: alertJson(alert),
    });
    for (const endpoint of await store.enabledEndpoints(tx, alert.orgId)) {
      if (!atLeast(alert.severity, endpoint.min_severity)) continue;
      rows.push({
        ...base,
        channel: 'webhook' as const,
        endpoint_id: endpoint.id,
        recipient: endpoint.url,
        payload: body,
      });
    }
    await store.insertDeliveries(
      tx,
      rows.map((r) => ({ ...r, id: newId(now.getTime()), next_attempt_at: now, created_at: now })),
    );
    return rows.length;
  }

  return {
    /** Raises or grows the alert of one finding; answers whether it was new. */
    async raise(tx: Tx, f: RatedFinding, policy: AlertPolicy): Promise<'raised' | 'grown'> {
      const dedupKey = `${f.rule}:${f.dedupKey}`;
      const open = await store.openAlertForUpdate(tx, f.orgId, dedupKey);
      const now = deps.clock.now();
      if (open) {
        const ids = [...open.event_ids, ...f.eventIds.filter((id) => !open.event_ids.includes(id))];
        const severity = moreSevere(open.severity, f.severity);
        const row = await store.updateAlert(tx, open.id, {
          event_count: open.event_count + f.eventIds.length,
          event_ids: ids.slice(0, maxEventIds),
          last_seen_at: new Date(Math.max(f.at.getTime(), open.last_seen_at.getTime())),
          severity,
          title: f.title,
          details: JSON.stringify(f.details),
        });
        if (severity !== open.severity) {
          const alert = alertOf(row);
          await deps.audit(tx, {
            orgId: f.orgId,
            action: 'alert.raised',
            actor: alertRulesActor,
            target: { type: 'alert', id: alert.id },
            details: { rule: f.rule, severity, severityBefore: open.severity, title: f.title },
          });
          await enqueue(tx, alert, policy);
        }
        return 'grown';
      }
      const id = newId(now.getTime());
      const row = {
        id,
        org_id: f.orgId,
        rule: f.rule,
        severity: f.severity,
        dedup_key: dedupKey,
        title: f.title,
        details: JSON.stringify(f.details),
        subject_user_id: f.subjectUserId ?? null,
        event_count: f.eventIds.length,
        event_ids: f.eventIds.slice(0, maxEventIds),
        first_seen_at: f.at,
        last_seen_at: f.at,
        status: 'open' as const,
        created_at: now,
      };
      await store.insertAlert(tx, row);
      await deps.audit(tx, {
        orgId: f.orgId,
        action: 'alert.raised',
        actor: alertRulesActor,
        target: { type: 'alert', id },
        details: {
          rule: f.rule,
          severity: f.severity,
          title: f.title,
          found: f.details,
          eventCount: f.eventIds.length,
        },
      });
      const alert = alertOf({
        ...row,
        details: f.details,
        assignee_id: null,
        acknowledged_at: null,
        acknowledged_by: null,
        resolved_at: null,
        resolved_by: null,
        resolution_note: null,
      });
      await enqueue(tx, alert, policy);
      return 'raised';
    },
  };
}

export type Raiser = ReturnType<typeof createRaiser>;
