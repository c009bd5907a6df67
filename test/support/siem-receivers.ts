import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { Webhook } from 'standardwebhooks';
import { createSelfSignedCertificate } from '../../src/crypto/index.ts';

/** One event as a SIEM got it: its id, organization and duplicate mark, and the raw message. */
export interface Received {
  id: string;
  orgId: string;
  possibleDuplicate: boolean;
  raw: string;
}

/** A certificate for 127.0.0.1, which a stream trusts through its caPem. */
export const receiverCertificate = () => createSelfSignedCertificate(['127.0.0.1']);

/**
 * RFC 5424 (§6): `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`, the header fields
 * printable US-ASCII, the MSG a BOM and UTF-8. Throws on a message that is not.
 */
export function parseRfc5424(message: string) {
  const match =
    /^<(\d{1,3})>1 (\S+) ([\x21-\x7e]{1,255}) ([\x21-\x7e]{1,48}) ([\x21-\x7e]{1,128}) ([\x21-\x7e]{1,32}) (-|(?:\[[^\]]*\])+) \ufeff([\s\S]*)$/.exec(
      message,
    );
  if (!match) throw new Error(`not an RFC 5424 message: ${message.slice(0, 200)}`);
  const [, pri, timestamp, hostname, appName, procId, msgId, sd = '', msg = ''] = match;
  if (Number(pri) > 191) throw new Error(`PRI ${pri} out of range`);
  if (Number.isNaN(Date.parse(timestamp ?? ''))) throw new Error(`bad TIMESTAMP ${timestamp}`);
  const params = Object.fromEntries(
    [...sd.matchAll(/ ([\w]+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]),
  );
  return { pri: Number(pri), timestamp, hostname, appName, procId, msgId, sd, params, msg };
}

/** Splits RFC 5425 octet-counted frames off the front of `buffer`; returns the rest. */
function takeFrames(buffer: Buffer, frames: string[]): Buffer {
  let rest: Buffer = buffer;
  for (;;) {
    const space = rest.indexOf(0x20);
    if (space === -1) return rest;
    const length = Number(rest.subarray(0, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) throw new Error('bad MSG-LEN');
    if (rest.length < space + 1 + length) return rest;
    frames.push(rest.subarray(space + 1, space + 1 + length).toString('utf8'));
    rest = rest.subarray(space + 1 + length);
  }
}

/** A syslog-over-TLS collector on 127.0.0.1 that can go down and come back on the same port. */
export async function startSyslogReceiver(cert: { certPem: string; keyPem: string }) {
  const received: (Received & { parsed: ReturnType<typeof parseRfc5424>; event: unknown })[] = [];
  let port = 0;
  let server: tls.Server | undefined;
  const open = () =>
    new Promise<void>((resolve) => {
      const listening = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (socket) => {
        let pending: Buffer = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          const frames: string[] = [];
          pending = takeFrames(Buffer.concat([pending, chunk]), frames);
          for (const frame of frames) {
            const parsed = parseRfc5424(frame);
            const event = JSON.parse(parsed.msg);
            received.push({
              id: parsed.params.eventId ?? '',
              orgId: parsed.params.orgId ?? '',
              possibleDuplicate: parsed.params.possibleDuplicate === 'true',
              raw: frame,
              parsed,
              event,
            });
          }
        });
        socket.on('error', () => {});
      });
      server = listening;
      listening.listen(port, '127.0.0.1', () => {
        port = (listening.address() as AddressInfo).port;
        resolve();
      });
    });
  await open();
  return {
    received,
    url: () => `syslog+tls://127.0.0.1:${port}`,
    /** Down: new connections are refused. */
    close: () => new Promise<void>((resolve) => server?.close(() => resolve())),
    reopen: open,
  };
}

/**
 * A Standard Webhooks receiver: verifies each request with the `standardwebhooks` library (an
 * independent implementation), keeps what it got, and answers `answer(n)` to the n-th request
 * (default 204): a 5xx after keeping the event is a receiver whose acknowledgement was lost.
 */
export async function startWebhookReceiver(cert: { certPem: string; keyPem: string }) {
  const received: (Received & { webhookId: string; body: unknown })[] = [];
  const state = { secret: '', requests: 0, answer: (_n: number) => 204 };
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const n = state.requests++;
      const headers = req.headers as Record<string, string>;
      try {
        new Webhook(state.secret).verify(body, headers);
      } catch {
        res.writeHead(401).end();
        return;
      }
      const event = JSON.parse(body) as Record<string, unknown> & {
        metadata?: { uid: string; tenant_uid: string };
        unmapped?: { possible_duplicate?: boolean };
      };
      received.push({
        id: event.metadata?.uid ?? String(event.id),
        orgId: event.metadata?.tenant_uid ?? String(event.orgId),
        possibleDuplicate:
          event.unmapped?.possible_duplicate === true || event.possibleDuplicate === true,
        raw: body,
        webhookId: headers['webhook-id'] ?? '',
        body: event,
      });
      res.writeHead(state.answer(n)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    state,
    url: `https://127.0.0.1:${port}/siem`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
