import type { z } from 'zod';
import type { AuditActor, AuditWriter } from './audit-event.ts';
import type { Clock } from './clock.ts';
import { insertPolicyVersion, latestPolicy, type PolicyKind } from './db/policies.store.ts';
import type { Tx } from './db/scope.ts';
import { AppError } from './errors.ts';
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
}) {
  type T = z.output<S>;
  async function current(tx: Tx, orgId: string): Promise<Versioned<T>> {
    const row = await latestPolicy(tx, orgId, options.kind);
    if (!row) return { policy: options.defaults, version: 0 };
    return {
      policy: parseInput(options.schema, row.settings, 'policy.invalid'),
      version: row.version,
    };
  }
  return {
    current,
    async set(tx: Tx, orgId: string, input: unknown, actor: AuditActor): Promise<Versioned<T>> {
      const presets = options.presets ?? {};
      if (typeof input === 'string' && !(input in presets)) {
        throw new AppError(
          'invalid',
          'policy.unknown_preset',
          `Unknown ${options.kind} policy preset ${input}; use one of ${Object.keys(presets).join(', ')}`,
        );
      }
      const next: T =
        typeof input === 'string'
          ? (presets[input] as T)
          : parseInput(options.schema, input, 'policy.invalid');
      const before = await current(tx, orgId);
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
      return { policy: next, version };
    },
  };
}
