import { type FeedPosition, isAfter, readFeed } from '../audit/index.ts';
import type { Keyring } from '../crypto/index.ts';
import {
  type Clock,
  type Database,
  jobLockKeys,
  type Logger,
  type Outbound,
  onOneNode,
  withPlatform,
} from '../platform/index.ts';
import { backoffMs, errorText, positionOf, sentOf, syslogAddress } from './model.ts';
import { type Outgoing, octetCounted, outgoing, syslogMessage } from './payload.ts';
import { siemSecretColumn } from './service.ts';
import * as store from './store.ts';
import { trustedCas, writeSyslogBatch } from './syslog.ts';
import { postEvents } from './webhook.ts';

/** Events read from the feed at once (and so, at most, in one syslog batch). */
const pageSize = 500;
/** Pages one stream sends per round: a stream far behind does not hold up the others. */
const pagesPerRound = 20;

export interface SiemRunnerDeps {
  database: Database;
  keyring: Keyring;
  clock: Clock;
  logger: Logger;
  /** The outbound client (SSRF guard) trusting these CAs (default: the system's). */
  outbound: (ca?: string[]) => Outbound;
  platformOrgId: string;
  /** The HOSTNAME of syslog messages: the host of VIGIL_PUBLIC_URL. */
  hostname: string;
  /** One syslog batch or one webhook request (default 10 s). */
  timeoutMs?: number;
}

export interface RoundReport {
  /** False when another node ran this round. */
  ran: boolean;
  streams: number;
  delivered: number;
  failed: number;
}

/** Sends a stream's events; answers how many from the first were received (docs/siem.md). */
type Send = (events: Outgoing[]) => Promise<{ received: number; failure?: Error }>;

/**
 * The SIEM streams' sender (docs/siem.md#delivery): each round, on one node, every enabled
 * stream whose attempt is due reads the audit feed after its position and sends what it finds.
 * Before a batch goes out its end is saved as `sent`; once received, `position` moves on. After
 * a failure the stream keeps its position, backs off and the round goes on with the next stream;
 * events between position and sent go again marked as possible duplicates.
 */
export function createSiemRunner(deps: SiemRunnerDeps) {
  const { database, clock } = deps;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const save = (id: string, progress: store.StreamProgress) =>
    withPlatform(database, (tx) => store.saveProgress(tx, id, progress));
  const at = (p: FeedPosition, prefix: 'position' | 'sent') =>
    prefix === 'position'
      ? { position_tx: p.tx, position_seq: p.seq }
      : { sent_tx: p.tx, sent_seq: p.seq };

  async function senderOf(row: store.StreamRow): Promise<Send> {
    const outbound = deps.outbound(trustedCas(row.ca_pem));
    if (row.kind === 'syslog') {
      const address = syslogAddress(row.url);
      if (typeof address === 'string') throw new Error(`url ${address}`);
      // Checked at every round: a name that now resolves inward is refused (SSRF guard).
      const target = await outbound.resolveTarget(address.host, address.port);
      return async (events) => {
        const frames = events.map((out) =>
          octetCounted(syslogMessage(out, row.format, deps.hostname)),
        );
        await writeSyslogBatch(target, row.ca_pem, Buffer.concat(frames), timeoutMs);
        return { received: events.length };
      };
    }
    const secret = (
      await deps.keyring.decrypt(row.secret_enc ?? '', { ...siemSecretColumn, rowId: row.id })
    ).toString();
    const target = { outbound, url: row.url, secret, format: row.format, timeoutMs };
    return (events) => postEvents(target, events, () => clock.now());
  }

  /** One stream's round; never throws (a failure is recorded on the stream). */
  async function runStream(row: store.StreamRow): Promise<{ delivered: number; ok: boolean }> {
    const scope = row.org_id === deps.platformOrgId ? null : row.org_id;
    // Sent before this round and maybe received: sent again, these are marked.
    const maybeReceived = sentOf(row);
    let position = positionOf(row);
    let sent = maybeReceived;
    let delivered = 0;
    // A stream that failed before clears its failure at its first successful page.
    let failing = row.failures > 0;
    try {
      const send = await senderOf(row);
      for (let page = 0; page < pagesPerRound; page++) {
        const feed = await withPlatform(database, (tx) => readFeed(tx, position, pageSize));
        const events = feed.events.filter((e) => scope === null || e.orgId === scope);
        const last = events.at(-1);
        if (last) {
          if (isAfter(last.position, sent)) {
            sent = last.position;
            await save(row.id, at(sent, 'sent'));
          }
          const result = await send(
            events.map((e) => outgoing(e, !isAfter(e.position, maybeReceived))),
          );
          delivered += result.received;
          const confirmed = events[result.received - 1];
          if (confirmed) position = confirmed.position;
          if (result.failure) throw result.failure;
        }
        const moved = isAfter(feed.next, position);
        if (moved) position = feed.next;
        if (moved || last || failing)
          await save(row.id, {
            ...at(position, 'position'),
            failures: 0,
            next_attempt_at: null,
            last_error: null,
            ...(last ? { last_delivered_at: clock.now() } : {}),
          });
        failing = false;
        if (feed.events.length < pageSize) break;
      }
      return { delivered, ok: true };
    } catch (err) {
      const failures = row.failures + 1;
      await save(row.id, {
        ...at(position, 'position'),
        failures,
        next_attempt_at: new Date(clock.now().getTime() + backoffMs(failures)),
        last_error: errorText(err),
      });
      deps.logger.warn(
        { err, streamId: row.id, orgId: row.org_id, failures },
        'SIEM stream delivery failed; it backs off and resends from its position',
      );
      return { delivered, ok: false };
    }
  }

  return {
    /**
     * One round over the due streams (`all`: every enabled stream, back-off or not, as `vigil
     * siem run` asks). Skipped while another node runs one.
     */
    async runRound(options: { all?: boolean } = {}): Promise<RoundReport> {
      const outcome = await onOneNode(database, jobLockKeys.siemStreams, async () => {
        const due = await withPlatform(database, (tx) =>
          store.dueStreams(tx, options.all ? null : clock.now()),
        );
        const report = { streams: due.length, delivered: 0, failed: 0 };
        for (const row of due) {
          const result = await runStream(row);
          report.delivered += result.delivered;
          if (!result.ok) report.failed++;
        }
        return report;
      });
      return outcome.ran
        ? { ran: true, ...outcome.result }
        : { ran: false, streams: 0, delivered: 0, failed: 0 };
    },
  };
}

export type SiemRunner = ReturnType<typeof createSiemRunner>;
