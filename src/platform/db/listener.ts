import { Socket } from 'node:net';
import pg from 'pg';

/** What a listening connection reports (src/platform/db/notify.ts). */
export interface ListenHandlers {
  /** The payload of each `pg_notify` on the channel, once its transaction committed. */
  onMessage(payload: string): void;
  /**
   * The connection was lost and is listening again: whatever was sent in between is lost, so
   * whoever keeps state on the strength of these messages must drop it.
   */
  onGap(): void;
  /** A failed attempt to listen again (logged by the caller); the next one follows. */
  onError(err: unknown): void;
}

/** How long to wait before listening again after the connection was lost (doubling, capped). */
const retryMs = { first: 100, max: 5_000 };

/**
 * LISTENs on `channel` over a connection of its own (a pooled one cannot hold a LISTEN: it goes
 * back to the pool). A lost connection (server restart, failover, `pg_terminate_backend`) is
 * replaced, and `onGap` says that messages may have been missed. Resolves once the first LISTEN
 * is in place; the result stops listening.
 */
export async function listenOnPostgres(
  url: string,
  channel: string,
  handlers: ListenHandlers,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  async function connect(): Promise<pg.Client> {
    const socket = new Socket();
    const next = new pg.Client({ connectionString: url, stream: () => socket });
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined)
        handlers.onMessage(message.payload);
    });
    next.on('error', () => lost(next));
    next.on('end', () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
      // Once listening, it never keeps a process alive on its own: the server's sockets do that,
      // and a command or a test that leaves its core open still exits.
      socket.unref();
    } catch (err) {
      await next.end().catch(() => undefined);
      throw err;
    }
    return next;
  }

  function lost(which: pg.Client) {
    if (stopped || client !== which) return;
    client = undefined;
    void which.end().catch(() => undefined);
    again(retryMs.first);
  }

  function again(delayMs: number) {
    retry = setTimeout(async () => {
      if (stopped) return;
      try {
        client = await connect();
        if (stopped) await client.end();
        else handlers.onGap();
      } catch (err) {
        handlers.onError(err);
        again(Math.min(delayMs * 2, retryMs.max));
      }
    }, delayMs).unref();
  }

  client = await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
