import { z } from 'zod';
import { alertPolicySchema } from '../../../alerts/index.ts';
import { retentionPolicySchema } from '../../../audit/index.ts';
import { ssoPolicySchema } from '../../../auth/flows/index.ts';
import { lockoutPolicySchema } from '../../../auth/lockout/index.ts';
import { mfaPolicySchema } from '../../../auth/mfa/index.ts';
import { passwordPolicySchema, passwordPresets } from '../../../auth/password/index.ts';
import { lifecyclePolicySchema, lifecyclePresets } from '../../../lifecycle/index.ts';
import type { AuditActor, Tx, Versioned } from '../../../platform/index.ts';
import { reviewPolicySchema, reviewPresets } from '../../../reviews/index.ts';
import { sessionPolicySchema } from '../../../sessions/index.ts';
import { type ApiServices, defineRoute, versionEtag, versionOf } from '../route.ts';

interface PolicyKind {
  kind:
    | 'password'
    | 'lockout'
    | 'session'
    | 'mfa'
    | 'lifecycle'
    | 'reviews'
    | 'alerts'
    | 'retention'
    | 'sso';
  what: string;
  schema: z.ZodType;
  presets?: Record<string, unknown>;
  example: unknown;
  /** The permission a change needs (org.settings unless the kind says otherwise). */
  permission?: string;
  /** The service that keeps this kind of policy. */
  of(services: ApiServices): {
    policy(tx: Tx, orgId: string): Promise<Versioned<unknown>>;
    setPolicy(
      tx: Tx,
      orgId: string,
      input: unknown,
      actor: AuditActor,
      expectedVersion?: number,
    ): Promise<Versioned<unknown>>;
  };
}

const kinds: PolicyKind[] = [
  {
    kind: 'password',
    what: 'length, composition, history, age, blocklists (or a preset)',
    schema: passwordPolicySchema,
    presets: passwordPresets,
    example: { preset: 'nist-800-63b-4' },
    of: (s) => s.passwords,
  },
  {
    kind: 'lockout',
    what: 'failures before a lock, its length, delays, permanent locks',
    schema: lockoutPolicySchema,
    example: {
      threshold: 5,
      lockMinutes: 30,
      delayFromFailure: 3,
      maxDelaySeconds: 30,
      permanentAfterLocks: 3,
    },
    of: (s) => s.lockout,
  },
  {
    kind: 'session',
    what: 'absolute and idle lifetimes, OAuth revocation on password change',
    schema: sessionPolicySchema,
    example: { absoluteHours: 8, idleMinutes: 15, revokeOAuthOnPasswordChange: true },
    of: (s) => s.sessions,
  },
  {
    kind: 'mfa',
    what: 'second factor required for every member, and the enrollment grace period',
    schema: mfaPolicySchema,
    example: { required: true, gracePeriodDays: 7 },
    of: (s) => s.mfa,
  },
  {
    kind: 'lifecycle',
    what: 'dormant-account suspension and its warning, the deprovisioning SLA (or a preset)',
    schema: lifecyclePolicySchema,
    presets: lifecyclePresets,
    example: { preset: 'soc2-baseline' },
    of: (s) => s.lifecyclePolicy,
  },
  {
    kind: 'reviews',
    what: 'scheduled access review campaigns, due days, reminders and auto-close (or a preset)',
    schema: reviewPolicySchema,
    presets: reviewPresets,
    example: {
      privilegedEvery: 'quarter',
      allEvery: 'year',
      dueDays: 14,
      remindEveryDays: 3,
      closeAfterDays: 7,
    },
    of: (s) => s.reviewsPolicy,
  },
  {
    kind: 'alerts',
    what: 'each detection rule on or off, its severity and thresholds, and the least severity mailed',
    schema: alertPolicySchema,
    example: {
      rules: { 'signin.failures.account': { thresholds: { failures: 5 } } },
      emailMinSeverity: 'high',
    },
    // The alert managers tune their rules without the right to change every other setting.
    permission: 'alerts.manage',
    of: (s) => s.alerts.policy,
  },
  {
    kind: 'retention',
    what: 'how long archived audit events are kept (365 days at least) and a legal hold that blocks their purge',
    schema: retentionPolicySchema,
    example: { retentionDays: 400, legalHold: false, legalHoldReason: null },
    of: (s) => s.auditRetention,
  },
  {
    kind: 'sso',
    what: "SSO required for the organization's users (passwords refused, platform administrators keep a break-glass path), and whether the identity provider's MFA counts or Vigil's is asked",
    schema: ssoPolicySchema,
    example: { required: true, mfa: 'upstream' },
    // Those who manage the SSO connections decide whether passwords stay on.
    permission: 'sso.manage',
    of: (s) => s.ssoPolicy,
  },
];

const changePermission = (kind: PolicyKind['kind']) =>
  kinds.find((k) => k.kind === kind)?.permission ?? 'org.settings';

const versioned = (schema: z.ZodType) => z.object({ version: z.number().int(), policy: schema });

/**
 * The presets of a kind with every setting, so that a client can show what picking one would
 * change before it sends `{ "preset": … }` (the console's diff before saving).
 */
function presetsRoute(
  kind: PolicyKind['kind'],
  schema: z.ZodType,
  presets: Record<string, unknown>,
) {
  return defineRoute({
    method: 'GET',
    path: `/orgs/{orgId}/policies/${kind}/presets`,
    summary: `The ${kind} policy's presets, each with every setting it stands for`,
    permission: 'org.read',
    scope: 'org',
    response: z.object({ items: z.array(z.object({ name: z.string(), policy: schema })) }),
    async handler() {
      return {
        body: { items: Object.entries(presets).map(([name, policy]) => ({ name, policy })) },
      };
    },
  });
}

/** Per-organization security policies: versioned, every change audited with before and after. */
export const policyRoutes = kinds.flatMap(({ kind, what, schema, presets, example, of }) => {
  const presetChoice = presets && z.object({ preset: z.enum(Object.keys(presets)) }).strict();
  return [
    defineRoute({
      method: 'GET',
      path: `/orgs/{orgId}/policies/${kind}`,
      summary: `The ${kind} policy in force (${what}), with its version as ETag`,
      permission: 'org.read',
      scope: 'org',
      response: versioned(schema),
      async handler(call) {
        const current = await of(call.services).policy(call.tx, call.orgId);
        return { body: current, etag: versionEtag(current.version) };
      },
    }),
    defineRoute({
      method: 'PUT',
      path: `/orgs/{orgId}/policies/${kind}`,
      summary: `Replace the ${kind} policy${presets ? ' (every setting, or a preset)' : ''}: a new version, If-Match required`,
      permission: changePermission(kind),
      scope: 'org',
      conditional: true,
      body: presetChoice ? z.union([presetChoice, schema]) : schema,
      example,
      response: versioned(schema),
      async handler(call) {
        const expected = versionOf(call.ifMatch);
        // A preset is passed on by name; full settings as they are.
        const choice = presetChoice?.safeParse(call.body);
        const input = choice?.success ? choice.data.preset : call.body;
        const next = await of(call.services).setPolicy(
          call.tx,
          call.orgId,
          input,
          call.actor,
          expected,
        );
        return { body: next, etag: versionEtag(next.version) };
      },
    }),
    ...(presets ? [presetsRoute(kind, schema, presets)] : []),
  ];
});
