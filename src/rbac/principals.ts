import type { IdentityService } from '../identity/index.ts';
import type { AuditWriter, Clock, Database } from '../platform/index.ts';

export interface RbacDeps {
  database: Database;
  identity: IdentityService;
  audit: AuditWriter;
  clock: Clock;
  platformOrgId: string;
  /** How long an access request waits for a decision. */
  requestTtlDays: number;
}

/** A user of an organization acting (an operator at the CLI is not subject to roles). */
export interface UserPrincipal {
  userId: string;
  orgId: string;
}

/** An API key acting: its organization and its own permissions (docs/access-control.md). */
export interface KeyPrincipal {
  apiKeyId: string;
  orgId: string;
  permissions: string[];
  /** The user who made it (null: the operator), on whose behalf it acts. */
  createdBy: string | null;
}

/** Who acts on an admin route. */
export type Principal = UserPrincipal | KeyPrincipal;

/** The person behind a principal: the user, or the user who made the key (null: the operator). */
export const personOf = (principal: Principal): string | null =>
  'apiKeyId' in principal ? principal.createdBy : principal.userId;
