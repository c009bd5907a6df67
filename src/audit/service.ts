import { hmacSha256, type PlatformKeys } from '../crypto/index.ts';
import {
  AppError,
  type AuditEventInput,
  type Clock,
  isUuid,
  newId,
  type Tx,
} from '../platform/index.ts';
import { type AuditEvent, canonicalEvent, contentOf, isValidAction } from './model.ts';
import * as store from './store.ts';

export interface AuditQuery {
  orgId?: string;
  actorId?: string;
  targetId?: string;
  targetType?: string;
  /** An exact action, or a prefix ending in `.*` (`auth.login.*`). */
  action?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit?: number;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export interface AuditLog {
  /** Appends an event inside the caller's transaction (DESIGN §5.1). */
  record(tx: Tx, input: AuditEventInput): Promise<void>;
  /** Newest first, in the transaction's scope (an org sees only its own events). */
  query(tx: Tx, query: AuditQuery): Promise<AuditPage>;
}

export interface AuditDeps {
  keys: PlatformKeys;
  clock: Clock;
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

function encodeCursor(e: AuditEvent): string {
  return Buffer.from(JSON.stringify([e.occurredAt.getTime(), e.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof ms === 'number' && Number.isFinite(ms) && isUuid(id)) return { at: new Date(ms), id };
  } catch {
    // fall through to the error below
  }
  throw new AppError('invalid', 'audit.bad_cursor', 'The cursor is not one this API returned');
}

export function createAuditLog(deps: AuditDeps): AuditLog {
  return {
    async record(tx, input) {
      if (!isValidAction(input.action)) {
        throw new AppError('internal', 'audit.bad_action', `Invalid audit action ${input.action}`);
      }
      if (!isUuid(input.orgId)) {
        throw new AppError('internal', 'audit.bad_org', 'Audit events need an organization id');
      }
      // Fail closed (DESIGN §5.7): without the MAC key the event, and so the change, is refused.
      const key = await deps.keys.active('audit-mac');
      const now = deps.clock.now();
      const content = contentOf(input, newId(now.getTime()), now, key.id);
      await store.insertEvent(tx, content, hmacSha256(key.secret, canonicalEvent(content)));
    },
    async query(tx, q) {
      const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
      const rows = await store.queryEvents(tx, {
        ...q,
        before: q.cursor ? decodeCursor(q.cursor) : undefined,
        order: 'desc',
        limit: limit + 1,
      });
      const events = rows.slice(0, limit).map(toAuditEvent);
      const last = events[events.length - 1];
      return { events, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },
  };
}
