import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AlertSeverity,
  type Database,
  newId,
  type Tx,
  withPlatform,
} from '../../src/platform/index.ts';

/** One request a test receiver got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1 (allowed through VIGIL_OUTBOUND_ALLOW in the tests): it keeps
 * what it gets and answers `answer` (200 by default); `down()` closes it (connections refused)
 * and `up()` listens again on the same port, as a receiver that was away and came back.
 */
export async function startReceiver() {
  const received: Received[] = [];
  let answer: { status: number; hang?: boolean } = { status: 200 };
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({ path: req.url ?? '', headers: req.headers, body });
    if (answer.hang) return; // never answers: the sender's timeout ends it
    res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(`answer ${answer.status}`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    answer(status: number, hang = false) {
      answer = { status, hang };
    },
    async down() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
    async up() {
      await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    },
    async close() {
      server.closeAllConnections();
      if (server.listening) await new Promise((done) => server.close(done));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** An open alert of `orgId`, written directly (the rules engine is tested on its own). */
export async function insertAlert(
  tx: Tx,
  orgId: string,
  at: Date,
  severity: AlertSeverity = 'high',
): Promise<string> {
  const id = newId(at.getTime());
  await tx
    .insertInto('alerts')
    .values({
      id,
      org_id: orgId,
      rule: 'test.rule',
      severity,
      dedup_key: `test:${id}`,
      title: 'A test alert',
      details: JSON.stringify({ note: 'written by a test' }),
      event_count: 1,
      event_ids: [],
      first_seen_at: at,
      last_seen_at: at,
      status: 'open',
      created_at: at,
    })
    .execute();
  return id;
}

/**
 * A pending delivery of a new alert, due at `at`, as the alert engine queues it: a webhook to
 * an endpoint (its URL as recipient, `body` as payload) or a mail ({subject, text}).
 */
export async function queueDelivery(
  database: Database,
  orgId: string,
  at: Date,
  to: { endpointId: string; url: string; body?: string } | { email: string },
): Promise<string> {
  return withPlatform(database, async (tx) => {
    const alertId = await insertAlert(tx, orgId, at);
    const id = newId(at.getTime());
    const webhook = 'endpointId' in to;
    await tx
      .insertInto('alert_deliveries')
      .values({
        id,
        org_id: orgId,
        alert_id: alertId,
        channel: webhook ? 'webhook' : 'email',
        endpoint_id: webhook ? to.endpointId : null,
        recipient: webhook ? to.url : to.email,
        payload: webhook
          ? (to.body ??
            JSON.stringify({
              type: 'alert.raised',
              timestamp: at.toISOString(),
              data: { alertId },
            }))
          : JSON.stringify({ subject: '[Vigil] high alert', text: 'A test alert' }),
        status: 'pending',
        next_attempt_at: at,
        created_at: at,
      })
      .execute();
    return id;
  });
}

/** A delivery row as stored. */
export function deliveryRow(database: Database, id: string) {
  return withPlatform(database, (tx) =>
    tx.selectFrom('alert_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  );
}

/** The audit events of some action about one target, oldest first. */
export function auditOf(database: Database, action: string, targetId: string) {
  return withPlatform(database, (tx) =>
    tx
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', action)
      .where('target_id', '=', targetId)
      .execute(),
  );
}
