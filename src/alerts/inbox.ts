import { z } from 'zod';
import { type AuditEvent, feedEventsById } from '../audit/index.ts';
import {
  type AlertSeverity,
  type AlertStatus,
  type AuditActor,
  type AuditWriter,
  type Clock,
  cursorParts,
  isUuid,
  pageOf,
  parseInput,
  type Tx,
} from '../platform/index.ts';
import * as store from './alerts.store.ts';
import { alertErrors } from './errors.ts';
import type { Alert } from './model.ts';
import { alertOf } from './raise.ts';

export interface AlertQuery {
  status?: AlertStatus;
  severity?: AlertSeverity;
  rule?: string;
  assigneeId?: string;
  cursor?: string;
  limit?: number;
}

export interface InboxDeps {
  audit: AuditWriter;
  clock: Clock;
  /** The permissions each user of an organization holds now, by user id. */
  permissionsOfUsers(tx: Tx, orgId: string): Promise<Map<string, Set<string>>>;
}

/** The audit events shown with an alert. */
const shownEvents = 20;

const noteSchema = z.object({ note: z.string().trim().min(1).max(2000) });

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = cursorParts(cursor) ?? [];
  const date = typeof at === 'string' ? new Date(at) : null;
  if (date && !Number.isNaN(date.getTime()) && isUuid(id)) return { at: date, id };
  throw alertErrors.badCursor();
}

/** Who did an inbox step, as the alert records it: the user's or key's id, or the actor type. */
const byWhom = (actor: AuditActor) => actor.id ?? actor.type;

/**
 * The alert inbox (docs/alerts.md#the-inbox): list, look at, acknowledge, assign and resolve
 * with a note. Each step is audited in its transaction; a resolved alert is closed for good
 * (a later event of its kind raises a new one).
 */
export function createAlertInbox(deps: InboxDeps) {
  /** The alert, locked, unless it is resolved. */
  async function changeable(tx: Tx, orgId: string, alertId: string) {
    const row = await store.alertById(tx, orgId, alertId, true);
    if (!row) throw alertErrors.alertNotFound();
    if (row.status === 'resolved') throw alertErrors.alertResolved();
    return row;
  }

  async function step(
    tx: Tx,
    alert: Alert,
    action: 'alert.acknowledged' | 'alert.assigned' | 'alert.resolved',
    actor: AuditActor,
    details: Record<string, unknown>,
  ) {
    await deps.audit(tx, {
      orgId: alert.orgId,
      action,
      actor,
      target: { type: 'alert', id: alert.id },
      details: { rule: alert.rule, ...details },
    });
    return alert;
  }

  return {
    async list(
      tx: Tx,
      orgId: string,
      query: AlertQuery,
    ): Promise<{ alerts: Alert[]; nextCursor: string | null }> {
      const limit = query.limit ?? 50;
      const before = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await store.listAlerts(tx, orgId, { ...query, before }, limit + 1);
      const page = pageOf(rows.map(alertOf), limit, (last) => [
        last.lastSeenAt.toISOString(),
        last.id,
      ]);
      return { alerts: page.items, nextCursor: page.nextCursor };
    },

    /** The alert and its first audit events (at most 20). */
    async get(
      tx: Tx,
      orgId: string,
      alertId: string,
    ): Promise<{ alert: Alert; events: AuditEvent[] }> {
      const row = await store.alertById(tx, orgId, alertId);
      if (!row) throw alertErrors.alertNotFound();
      const events = await feedEventsById(tx, row.event_ids.slice(0, shownEvents));
      return {
        alert: alertOf(row),
        events: events.map(({ position: _, ...event }) => event),
      };
    },

    /** Someone took note of it (again: nothing changes, nothing is recorded). */
    async acknowledge(tx: Tx, orgId: string, alertId: string, actor: AuditActor): Promise<Alert> {
      const row = await changeable(tx, orgId, alertId);
      if (row.status === 'acknowledged') return alertOf(row);
      const updated = await store.updateAlert(tx, row.id, {
        status: 'acknowledged',
        acknowledged_at: deps.clock.now(),
        acknowledged_by: byWhom(actor),
      });
      return step(tx, alertOf(updated), 'alert.acknowledged', actor, {});
    },

    /** Gives it to an active user of the organization who may see alerts; null unassigns. */
    async assign(
      tx: Tx,
      orgId: string,
      alertId: string,
      assigneeId: string | null,
      actor: AuditActor,
    ): Promise<Alert> {
      const row = await changeable(tx, orgId, alertId);
      if (assigneeId !== null) {
        const [user] = isUuid(assigneeId)
          ? await store.activeUsersAmong(tx, orgId, [assigneeId])
          : [];
        const held = user ? (await deps.permissionsOfUsers(tx, orgId)).get(user.id) : undefined;
        if (!user)
          throw alertErrors.assigneeInvalid({ problem: 'no active user of the organization' });
        if (!held?.has('alerts.read') && !held?.has('alerts.manage'))
          throw alertErrors.assigneeInvalid({
            problem: 'the user holds neither alerts.read nor alerts.manage',
          });
      }
      if (row.assignee_id === assigneeId) return alertOf(row);
      const updated = await store.updateAlert(tx, row.id, { assignee_id: assigneeId });
      return step(tx, alertOf(updated), 'alert.assigned', actor, {
        before: row.assignee_id,
        after: assigneeId,
      });
    },

    /** Closes it, with a note saying why (1 to 2000 characters). */
    async resolve(
      tx: Tx,
      orgId: string,
      alertId: string,
      note: string,
      actor: AuditActor,
    ): Promise<Alert> {
      const input = parseInput(noteSchema, { note }, alertErrors.alertInvalid);
      const row = await changeable(tx, orgId, alertId);
      const updated = await store.updateAlert(tx, row.id, {
        status: 'resolved',
        resolved_at: deps.clock.now(),
        resolved_by: byWhom(actor),
        resolution_note: input.note,
      });
      return step(tx, alertOf(updated), 'alert.resolved', actor, { note: input.note });
    },
  };
}

export type AlertInbox = ReturnType<typeof createAlertInbox>;
