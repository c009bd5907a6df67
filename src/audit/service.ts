import type { PlatformKeys } from '../crypto/index.ts';
import {
  type AuditEventInput,
  beforeCommit,
  type Clock,
  cursorParts,
  type Database,
  isUuid,
  newId,
  pageOf,
  platformStatement,
  type Tx,
} from '../platform/index.ts';
import { auditErrors } from './errors.ts';
import { type AuditEvent, type AuditFilter, canonicalEvent, contentOf } from './model.ts';
import * as store from './store.ts';

export interface AuditQuery extends AuditFilter {
  cursor?: string;
  limit?: number;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export interface AuditLog {
  /**
   * Records an event in the caller's transaction (docs/architecture.md#invariant-1): it commits
   * with the change or not at all. Every event of a transaction is inserted by one statement just
   * before it commits.
   */
  record(tx: Tx, input: AuditEventInput): Promise<void>;
  /** Several events of one change (bulk operations), recorded like `record`. */
  recordMany(tx: Tx, inputs: AuditEventInput[]): Promise<void>;
  /**
   * Appends an event that accompanies no state change (a refused sign-in, a token issued, an
   * export). Concurrent appends are group-committed: one INSERT statement per batch.
   * Resolves once the event is committed; rejects if it could not be, so the caller fails closed.
   */
  append(input: AuditEventInput): Promise<void>;
  /** Newest first, in the transaction's scope (an org sees only its own events). */
  query(tx: Tx, query: AuditQuery): Promise<AuditPage>;
}

export interface AuditDeps {
  keys: PlatformKeys;
  clock: Clock;
  database: Database;
  /** Most events in one group commit. */
  maxBatch?: number;
  /**
   * Group commits in flight at once (default 1: events arriving meanwhile make the next batch,
   * so under load batches grow instead of round trips).
   */
  maxInFlight?: number;
}

export function toAuditEvent(row: store.StoredEvent): AuditEvent {
  return {
    id: row.id,
    orgId: row.org_id,
    occurredAt: row.occurred_at,
    actor: {
      type: row.actor_type,
      id: row.actor_id,
      ip: row.actor_ip,
      userAgent: row.actor_ua,
    },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    outcome: row.outcome,
    requestId: row.request_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [ms, id] = cursorParts(cursor) ?? [];
  if (typeof ms === 'number' && Number.isFinite(ms) && isUuid(id)) return { at: new Date(ms), id };
  throw auditErrors.badCursor();
}

interface Waiting {
  event: store.SealedContent;
  resolve(): void;
  reject(err: unknown): void;
}

export function createAuditLog(deps: AuditDeps): AuditLog {
  const maxBatch = deps.maxBatch ?? 500;
  const maxInFlight = deps.maxInFlight ?? 1;
  let queue: Waiting[] = [];
  // Events recorded in a transaction, inserted together just before it commits.
  const pendingByTx = new WeakMap<Tx, store.SealedContent[]>();
  let inFlight = 0;

  async function prepare(input: AuditEventInput): Promise<store.SealedContent> {
    if (!isUuid(input.orgId)) throw auditErrors.badOrg();
    // Fail closed (docs/architecture.md#invariant-7): without the MAC key the event, and so the
    // change, is refused.
    const key = await deps.keys.active('audit-mac');
    const now = deps.clock.now();
    const content = contentOf(input, newId(now.getTime()), now, key.id);
    if (!key.mac) throw auditErrors.badMacKey();
    return { content, mac: key.mac(canonicalEvent(content)) };
  }

  async function recordMany(tx: Tx, inputs: AuditEventInput[]): Promise<void> {
    // Prepared (validated and MACed) now, so a bad event or a missing key fails the change here.
    const events = await Promise.all(inputs.map(prepare));
    if (events.length === 0) return;
    const pending = pendingByTx.get(tx);
    if (pending) {
      pending.push(...events);
      return;
    }
    const deferred = beforeCommit(tx, 'audit.record', () => {
      pendingByTx.delete(tx);
      return store.insertEvents(tx, events);
    });
    if (deferred) pendingByTx.set(tx, events);
    else await store.insertEvents(tx, events);
  }

  function flush(): void {
    if (inFlight >= maxInFlight || queue.length === 0) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    inFlight++;
    // Platform scope: one batch may hold several organizations' events, each row built here.
    // One INSERT statement is atomic by itself: no transaction around it, one round trip.
    platformStatement(deps.database, (tx) =>
      store.insertEvents(
        tx,
        batch.map((w) => w.event),
      ),
    )
      .then(
        () => {
          for (const w of batch) w.resolve();
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      )
      .finally(() => {
        inFlight--;
        flush();
      });
  }

  return {
    record: (tx, input) => recordMany(tx, [input]),
    recordMany,
    async append(input) {
      const event = await prepare(input);
      await new Promise<void>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        // Let the other callers of this tick join the batch.
        setImmediate(flush);
      });
    },
    async query(tx, q) {
      const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
      const rows = await store.queryEvents(tx, {
        ...q,
        before: q.cursor ? decodeCursor(q.cursor) : undefined,
        order: 'desc',
        limit: limit + 1,
      });
      const page = pageOf(rows.map(toAuditEvent), limit, (last) => [
        last.occurredAt.getTime(),
        last.id,
      ]);
      return { events: page.items, nextCursor: page.nextCursor };
    },
  };
}
