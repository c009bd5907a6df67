import type { AuditActor, AuditEventInput, Clock } from '../../platform/index.ts';
import type { Principal } from '../../rbac/index.ts';

/** A refused admin-API call (401 or 403). */
export interface Refusal {
  /** Who called, when the credentials were good (a 403); absent for a 401. */
  caller?: { principal: Principal; actor: AuditActor };
  ip: string;
  userAgent?: string;
  /** The request id the problem document carries too. */
  requestId?: string;
  method: string;
  /** The route as the table names it: `/orgs/{orgId}/users`. */
  route: string;
  permission: string;
  /** The organization in the path, if any. */
  targetOrgId?: string;
  status: number;
  code: string;
}

export interface RefusalLogDeps {
  /** Appends an event outside any transaction (nothing changed): `AuditLog.append`. */
  append(event: AuditEventInput): Promise<void>;
  clock: Clock;
  logger: { error(context: object, message: string): void };
  platformOrgId: string;
  /** One event per caller and route per window; default a minute. */
  windowMs?: number;
  /** Callers tracked at once; past it, refusals share one window (memory stays bounded). */
  maxWindows?: number;
}

interface Window {
  openedAt: number;
  /** Refusals in this window after the one that opened it, not written on their own. */
  suppressed: number;
  last: Refusal;
}

/**
 * Audits refused admin-API calls (`api.request.denied`, outcome `denied`), at most one event per
 * caller (actor, or address when unauthenticated) and route per minute: a flood of refusals
 * must not bloat the audit log, whose rows are never deleted. Each event's `suppressed` says how
 * many refusals of the same caller and route since the previous event have none of their own.
 *
 * The windows live in memory, per node. A shared counter (src/platform/counters.ts) exists only
 * with Redis, and one in PostgreSQL would write a row per refused call, which is the load a
 * flood must not cause. With N nodes, a caller and route get at most N events a minute.
 */
export function createRefusalLog(deps: RefusalLogDeps) {
  const windowMs = deps.windowMs ?? 60_000;
  const maxWindows = deps.maxWindows ?? 10_000;
  const windows = new Map<string, Window>();

  function eventOf(refusal: Refusal, suppressed: number): AuditEventInput {
    const { caller } = refusal;
    return {
      // The caller's organization: its auditor sees what its people and keys tried. An
      // unknown caller goes to the platform's log (the path's organization may not exist).
      orgId: caller?.principal.orgId ?? deps.platformOrgId,
      action: 'api.request.denied',
      outcome: 'denied',
      actor: caller?.actor ?? { type: 'anonymous', ip: refusal.ip, userAgent: refusal.userAgent },
      target: refusal.targetOrgId ? { type: 'organization', id: refusal.targetOrgId } : undefined,
      requestId: refusal.requestId,
      details: {
        method: refusal.method,
        route: refusal.route,
        permission: refusal.permission,
        status: refusal.status,
        problem: refusal.code,
        suppressed,
      },
    };
  }

  async function write(event: AuditEventInput) {
    // The call is refused either way; a lost audit event is logged rather than turned into a 500.
    await deps.append(event).catch((err: unknown) => {
      deps.logger.error({ err, event: event.action }, 'refused call not audited');
    });
  }

  /** The window of a refusal's caller and route; past `maxWindows`, one for all the others. */
  function windowOf(refusal: Refusal): [key: string, refusal: Refusal] {
    const who = refusal.caller
      ? `${refusal.caller.actor.type}:${refusal.caller.actor.id}`
      : `ip:${refusal.ip}`;
    const key = `${who} ${refusal.method} ${refusal.route}`;
    if (windows.has(key) || windows.size < maxWindows) return [key, refusal];
    // Counted together, so the event names no one caller or route.
    const { status, code } = refusal;
    return ['*', { ip: '*', method: '*', route: '*', permission: '*', status, code }];
  }

  return {
    /** Writes the refusal, or counts it when its caller and route had one this window. */
    async record(input: Refusal): Promise<void> {
      const now = deps.clock.now().getTime();
      const [key, refusal] = windowOf(input);
      const open = windows.get(key);
      if (open && now - open.openedAt < windowMs) {
        open.suppressed += 1;
        open.last = refusal;
        return;
      }
      windows.set(key, { openedAt: now, suppressed: 0, last: refusal });
      await write(eventOf(refusal, open?.suppressed ?? 0));
    },

    /**
     * Closes the windows that are over (all of them with `all`, at shutdown): one that counted
     * refusals writes its last one, with the count of the others.
     */
    async flush(all = false): Promise<void> {
      const now = deps.clock.now().getTime();
      for (const [key, window] of windows) {
        if (!all && now - window.openedAt < windowMs) continue;
        windows.delete(key);
        if (window.suppressed > 0) await write(eventOf(window.last, window.suppressed - 1));
      }
    },
  };
}

export type RefusalLog = ReturnType<typeof createRefusalLog>;
