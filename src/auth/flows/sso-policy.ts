import { z } from 'zod';
import {
  type AuditActor,
  type AuditWriter,
  type ChangeFeed,
  type Clock,
  type Database,
  orgScopeRunner,
  platformOrgId,
  type Tx,
  type Versioned,
  versionedPolicy,
} from '../../platform/index.ts';

/**
 * An organization's SSO policy (docs/sso.md#sso-required-and-break-glass, #mfa-with-sso):
 * whether its users must sign in through their identity provider (their passwords refused and
 * no reset mailed; platform administrators keep a break-glass path), and whose MFA counts.
 */
export const ssoPolicySchema = z
  .object({
    /** Password sign-in and password reset are refused for the organization's users. */
    required: z.boolean(),
    /**
     * `upstream`: the identity provider's MFA claim counts as Vigil's second factor; `vigil`:
     * Vigil asks its own second factor after every federated sign-in (enrolment if none).
     */
    mfa: z.enum(['upstream', 'vigil']),
  })
  .strict();

export type SsoPolicy = z.output<typeof ssoPolicySchema>;
export const defaultSsoPolicy: SsoPolicy = { required: false, mfa: 'upstream' };

export interface SsoPolicyDeps {
  database: Database;
  audit: AuditWriter;
  clock: Clock;
  changes?: ChangeFeed;
}

/** The SSO policy kind: versioned, every change audited as policy.sso.changed. */
export function createSsoPolicy(deps: SsoPolicyDeps) {
  const policies = versionedPolicy({
    kind: 'sso',
    schema: ssoPolicySchema,
    defaults: defaultSsoPolicy,
    audit: deps.audit,
    clock: deps.clock,
    changes: deps.changes,
  });
  const inOrg = orgScopeRunner(deps.database, platformOrgId);
  return {
    policy: (tx: Tx, orgId: string): Promise<Versioned<SsoPolicy>> => policies.current(tx, orgId),
    setPolicy: policies.set,
    /** The same, each in a transaction of the organization's own (the CLI's). */
    inOrg: {
      policy: (orgId: string) => inOrg(orgId, (tx) => policies.current(tx, orgId)),
      setPolicy: (orgId: string, input: unknown, actor: AuditActor) =>
        inOrg(orgId, (tx) => policies.set(tx, orgId, input, actor)),
    },
  };
}

export type SsoPolicyService = ReturnType<typeof createSsoPolicy>;
