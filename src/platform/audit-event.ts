import type { AuditAction } from './audit-actions.ts';
import type { Tx } from './db/scope.ts';

/**
 * What a module hands to the audit log. Every module records through an injected `AuditWriter`
 * (implemented by src/audit) in the same transaction as the change
 * (docs/architecture.md#invariant-1).
 */
export interface AuditEventInput {
  orgId: string;
  /** One of the catalog's actions (src/platform/audit-actions.ts). */
  action: AuditAction;
  outcome?: 'success' | 'failure' | 'denied';
  actor?: AuditActor;
  target?: { type: string; id: string };
  requestId?: string;
  /** Context of the event. Keys that look like secrets are redacted before storage. */
  details?: Record<string, unknown>;
}

export interface AuditActor {
  type: 'user' | 'system' | 'api_key' | 'client' | 'anonymous' | 'operator' | 'scim_token';
  id?: string;
  ip?: string;
  userAgent?: string;
}

export type AuditWriter = (tx: Tx, event: AuditEventInput) => Promise<void>;

/** The actor for work the operator starts from the CLI. */
export const operatorActor: AuditActor = { type: 'operator', id: 'cli' };
export const systemActor: AuditActor = { type: 'system', id: 'vigil' };
