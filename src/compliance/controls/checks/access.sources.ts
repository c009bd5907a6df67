import type { User } from '../../../identity/index.ts';
import type { DeprovisioningReport, LifecyclePolicy } from '../../../lifecycle/index.ts';
import type { Tx } from '../../../platform/index.ts';
import type { RoleDefinition } from '../../../rbac/index.ts';
import type { CampaignSummary, ReviewPolicy } from '../../../reviews/index.ts';

/** A conflict rule (segregation of duties): roles and permissions nobody may hold all at once. */
export interface ConflictRule {
  id: string;
  name: string;
  roles: string[];
  permissions: string[];
}

/**
 * What the access checks read, each through the service that owns it (roles and their holders,
 * users, sessions, the lifecycle and review policies, campaigns, the SLA report). All of it in the
 * check's organization-scope transaction.
 */
export interface AccessReads {
  /** The roles of the organization, built-in and custom (rbac). */
  rolesOf(tx: Tx, orgId: string): Promise<RoleDefinition[]>;
  /** The roles each user holds now, by user id (rbac). */
  holdersIn(tx: Tx, orgId: string): Promise<Map<string, RoleDefinition[]>>;
  /** The organization's conflict rules (rbac). */
  conflictRules(tx: Tx, orgId: string): Promise<ConflictRule[]>;
  /** Who holds, now, a combination a conflict rule forbids (rbac's SoD report). */
  conflictViolations(tx: Tx, orgId: string): Promise<{ userId: string; ruleId: string }[]>;
  /** Every user of the organization, whatever their status (identity). */
  usersOf(tx: Tx, orgId: string): Promise<User[]>;
  /** Each user's last sign-in (their newest session), by user id (sessions). */
  lastSignIns(tx: Tx, orgId: string): Promise<Map<string, Date>>;
  /** The lifecycle policy in force: dormancy and the deprovisioning SLA. */
  lifecyclePolicy(tx: Tx, orgId: string): Promise<LifecyclePolicy>;
  /** The access review policy in force: how often each scope is reviewed. */
  reviewPolicy(tx: Tx, orgId: string): Promise<ReviewPolicy>;
  /** Every access review campaign of the organization, open and closed (reviews). */
  reviewCampaigns(tx: Tx, orgId: string): Promise<CampaignSummary[]>;
  /** The deprovisioning SLA report of the deactivations asked for in [from, to) (lifecycle). */
  deprovisioningReport(
    tx: Tx,
    orgId: string,
    range: { from: Date; to: Date },
  ): Promise<DeprovisioningReport>;
}

/** What the access checks (controls/checks/access.ts) read through other modules' services. */
export interface AccessSources {
  access: AccessReads;
}
