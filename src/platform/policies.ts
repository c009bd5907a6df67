import type { z } from 'zod';
import type { AuditActor, AuditWriter } from './audit-event.ts';
import type { Clock } from './clock.ts';
import type { ChangeFeed } from './db/notify.ts';
import { insertPolicyVersion, latestPolicy, type PolicyKind } from './db/policies.store.ts';
import { afterCommit, type Tx } from './db/scope.ts';
import { platformErrors } from './errors.ts';
import { parseInput } from './validate.ts';

export interface Versioned<T> {
  policy: T;
  /** 0 for the built-in default (no version stored yet). */
  version: number;
}

/**
 * One kind of per-organization security policy (password, lockout, session, MFA): versioned rows,
 * the newest in force, every change audited with before and after. Presets are named settings an
 * administrator may pick instead of giving every field.
 */
export function versionedPolicy<S extends z.ZodType>(options: {
  kind: PolicyKind;
  schema: S;
  defaults: z.output<S>;
  presets?: Record<string, z.output<S>>;
  audit: AuditWriter;
  clock: Clock;
  /**
   * How long a node may reuse a policy it read (every sign-in reads several). A change applies
   * at once on the node that made it and, through `changes`, on every other; this time bounds
   * it only while a node's listening connection is lost (docs/lifecycle.md#several-nodes).
   */
  cacheMs?: number;
  /** Tells every node of a change (without it, other nodes see it within `cacheMs`). */
  changes?: ChangeFeed;
}) {
  type T = z.output<S>;
  const cacheMs = options.cacheMs ?? 5_000;
  const cache = new Map<string, { value: Versioned<T>; until: number }>();
  const topic = `policy.${options.kind}`;
  const forget = (orgId: string | undefined) =>
    orgId === undefined ? cache.clear() : cache.delete(orgId);
  options.changes?.subscribe(topic, forget);
  async function current(tx: Tx, orgId: string): Promise<Versioned<T>> {
    const now = options.clock.now().getTime();
    const hit = cache.get(orgId);
    if (hit && hit.until > now) return hit.value;
    const row = await latestPolicy(tx, orgId, options.kind);
    const value: Versioned<T> = row
      ? {
          policy: parseInput(options.schema, row.settings, platformErrors.policyInvalid),
          version: row.version,
        }
      : { policy: options.defaults, version: 0 };
    cache.set(orgId, { value, until: now + cacheMs });
    return value;
  }
  return {
    current,
    /**
     * Stores a new version (a preset name, or full settings); audited with before and after.
     * `expectedVersion` (the admin API's If-Match) refuses a change made on a stale read.
     */
    async set(
      tx: Tx,
      orgId: string,
      input: unknown,
      actor: AuditActor,
      expectedVersion?: number,
    ): Promise<Versioned<T>> {
      const presets = options.presets ?? {};
      if (typeof input === 'string' && !(input in presets)) {
        throw platformErrors.policyUnknownPreset({
          kind: options.kind,
          preset: input,
          presets: Object.keys(presets).join(', '),
        });
      }
      const next: T =
        typeof input === 'string'
          ? (presets[input] as T)
          : parseInput(options.schema, input, platformErrors.policyInvalid);
      cache.delete(orgId);
      const before = await current(tx, orgId);
      if (expectedVersion !== undefined && expectedVersion !== before.version)
        throw platformErrors.policyStale({ kind: options.kind, version: before.version });
      const version = before.version + 1;
      await insertPolicyVersion(tx, {
        orgId,
        kind: options.kind,
        version,
        settings: next,
        changedBy: actor.id ?? null,
        at: options.clock.now(),
      });
      await options.audit(tx, {
        orgId,
        action: `policy.${options.kind}.changed`,
        actor,
        target: { type: `${options.kind}_policy`, id: `${orgId}:${version}` },
        details: { version, before: before.policy, after: next },
      });
      // Forgotten once this transaction commits, on every node: the next read fetches the row.
      if (options.changes) await options.changes.publish(tx, topic, orgId);
      else afterCommit(tx, async () => void forget(orgId));
      return { policy: next, version };
    },
  };
}
