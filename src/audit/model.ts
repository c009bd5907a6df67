import type { AuditEventInput } from '../platform/index.ts';

/** An audit event as stored and returned. */
export interface AuditEvent {
  id: string;
  orgId: string;
  occurredAt: Date;
  actor: { type: string; id: string | null; ip: string | null; userAgent: string | null };
  action: string;
  target: { type: string | null; id: string | null };
  outcome: 'success' | 'failure' | 'denied';
  requestId: string | null;
  details: Record<string, unknown>;
}

/** What audit queries and exports can select on. */
export interface AuditFilter {
  orgId?: string;
  actorId?: string;
  targetId?: string;
  targetType?: string;
  /** Events where this id is the actor or the target (a user's own security activity). */
  subjectId?: string;
  /** An exact action, or a prefix ending in `.*` (`auth.login.*`). */
  action?: string;
  outcome?: AuditEvent['outcome'];
  from?: Date;
  to?: Date;
}

export const redacted = '[redacted]';
const maxString = 2000;
const maxDepth = 6;
const maxKeys = 100;

/** Key names (camelCase or snake_case) whose values are secrets and never reach the log. */
const secretKey =
  /(^|_)(password|passwd|pwd|passphrase|secret|token|otp|totp|seed|private_?key|authorization|cookie|credentials?|recovery_?codes?|verifier|api_?key|master_?key|mac|signature|assertion)$|^code$|(^|_)(otp|auth|authorization|recovery|verification|mfa|user)_code$/;

/** Values that are secrets whatever their key: JWTs, PEM private keys, split tokens, bearer headers. */
const secretValue =
  /^(eyJ[\w-]+\.[\w-]+\.[\w-]*|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*|Bearer\s+\S+|Basic\s+\S+)$/;

function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function sanitizeValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping NULs on purpose.
    const clean = value.replace(/\u0000/g, '');
    if (secretValue.test(clean)) return redacted;
    return clean.length > maxString ? `${clean.slice(0, maxString)}…` : clean;
  }
  if (value instanceof Date) return value.toISOString();
  if (depth >= maxDepth) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, maxKeys).map((v) => sanitizeValue(v, depth + 1));
  if (typeof value === 'object')
    return sanitizeDetails(value as Record<string, unknown>, depth + 1);
  return String(value);
}

/**
 * Makes details safe to store: secret-looking keys and values are replaced by `[redacted]`,
 * strings are bounded, and keys are sorted so the canonical form is stable.
 */
export function sanitizeDetails(
  details: Record<string, unknown>,
  depth = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(details).sort().slice(0, maxKeys)) {
    const value = details[key];
    if (value === undefined) continue;
    out[key] = secretKey.test(snake(key)) ? redacted : sanitizeValue(value, depth);
  }
  return out;
}

/** The stored columns an event's MAC covers. */
export interface EventContent {
  id: string;
  orgId: string;
  occurredAtMs: number;
  actorType: string;
  actorId: string | null;
  actorIp: string | null;
  actorUa: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  requestId: string | null;
  details: string;
  macKeyId: string;
}

/** The exact bytes an event's MAC is computed over (versioned, unambiguous JSON array). */
export function canonicalEvent(e: EventContent): string {
  return JSON.stringify([
    'v1',
    e.id,
    e.orgId,
    e.occurredAtMs,
    e.actorType,
    e.actorId,
    e.actorIp,
    e.actorUa,
    e.action,
    e.targetType,
    e.targetId,
    e.outcome,
    e.requestId,
    e.details,
    e.macKeyId,
  ]);
}

export function bounded(value: string | undefined, max: number): string | null {
  if (value === undefined || value === '') return null;
  return value.length > max ? value.slice(0, max) : value;
}

export function contentOf(
  input: AuditEventInput,
  id: string,
  occurredAt: Date,
  macKeyId: string,
): EventContent {
  return {
    id,
    orgId: input.orgId,
    occurredAtMs: occurredAt.getTime(),
    actorType: input.actor?.type ?? 'system',
    actorId: bounded(input.actor?.id, 200),
    actorIp: bounded(input.actor?.ip, 100),
    actorUa: bounded(input.actor?.userAgent, 500),
    action: input.action,
    targetType: bounded(input.target?.type, 100),
    targetId: bounded(input.target?.id, 200),
    outcome: input.outcome ?? 'success',
    requestId: bounded(input.requestId, 200),
    details: JSON.stringify(sanitizeDetails(input.details ?? {})),
    macKeyId,
  };
}
