import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { AlertRoundReport, Alerts } from '../../src/alerts/index.ts';
import { type AuditEventInput, fixedClock, withPlatform } from '../../src/platform/index.ts';
import { authServices } from './auth.ts';
import { openTestCore, type TestCore } from './core.ts';

/** A test core on a controllable clock, its services, and helpers to drive the alert rules. */
export async function openAlertsWorld() {
  const clock = fixedClock(new Date('2026-03-02T09:00:00Z'));
  const core = await openTestCore({ clock });
  const services = authServices(core);
  return { core, clock, services, ...alertDriver(core, services.alerts) };
}

export type AlertsWorld = Awaited<ReturnType<typeof openAlertsWorld>>;

/** Appending events and running rounds of one engine until it has read them all. */
export function alertDriver(core: TestCore, alerts: Pick<Alerts, 'engine'>) {
  const append = (event: AuditEventInput) => core.audit.append(event);

  /**
   * Rounds until the cursor is past the last event written (on PostgreSQL, another database's
   * running transaction can hold the feed back a moment); the rounds' counts added up.
   */
  async function settle(engine = alerts.engine): Promise<AlertRoundReport> {
    const total = {
      ran: true,
      events: 0,
      raised: 0,
      grown: 0,
      failedRules: 0,
      replayed: 0,
      started: false,
    };
    const last = await withPlatform(core.database, async (tx) => {
      const { rows } = await sql<{ tx: string; seq: string }>`
        SELECT tx::text AS tx, seq::text AS seq FROM audit_events ORDER BY tx DESC, seq DESC LIMIT 1`.execute(
        tx,
      );
      return rows[0];
    });
    for (let attempt = 0; attempt < 100; attempt++) {
      const r = await engine.runRound();
      for (const k of ['events', 'raised', 'grown', 'failedRules', 'replayed'] as const)
        total[k] += r[k];
      total.started ||= r.started;
      const done = await withPlatform(core.database, async (tx) => {
        const { rows } = await sql<{ past: boolean }>`
          SELECT (position_tx, position_seq) >= (${last?.tx ?? '0'}::bigint, ${last?.seq ?? '0'}::bigint) AS past
          FROM audit_feed_cursors WHERE name = 'alerts'`.execute(tx);
        return rows[0]?.past === true;
      });
      if (done) return total;
      await sleep(50);
    }
    throw new Error('the alert rules never caught up with the feed');
  }

  /** The alerts of an organization (of one rule), newest activity first. */
  async function alertsOf(orgId: string, rule?: string) {
    return withPlatform(core.database, async (tx) => {
      const { rows } = await sql<{
        id: string;
        rule: string;
        severity: string;
        status: string;
        event_count: number;
        event_ids: string[];
        title: string;
        details: Record<string, unknown>;
      }>`SELECT id, rule, severity, status, event_count, event_ids, title, details FROM alerts
         WHERE org_id = ${orgId} AND (${rule ?? null}::text IS NULL OR rule = ${rule ?? null})
         ORDER BY last_seen_at DESC, id DESC`.execute(tx);
      return rows;
    });
  }

  return { append, settle, alertsOf };
}
