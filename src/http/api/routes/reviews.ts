import { z } from 'zod';
import type { ReviewerBasis } from '../../../platform/index.ts';
import type { DecisionInput, ReviewFlag, ReviewScope } from '../../../reviews/index.ts';
import { defineRoute, isoDate, userOnly } from '../route.ts';

// The domain's values as zod enums (`satisfies`: a value the domain drops fails to compile).
const scopeKinds = [
  'privileged_roles',
  'all_assignments',
  'client_users',
  'api_keys',
] as const satisfies readonly ReviewScope['kind'][];
const flags = [
  'dormant',
  'granted_outside_scim',
  'conflict_rule_hit',
  'past_end_date',
] as const satisfies readonly ReviewFlag[];
const reviewerBases = [
  'role_owner',
  'manager',
  'admin',
  'reassigned',
] as const satisfies readonly ReviewerBasis[];
const decisions = [
  'keep',
  'revoke',
  'reduce',
] as const satisfies readonly DecisionInput['decision'][];

const namedUserSchema = z.object({ id: z.uuid(), email: z.string(), name: z.string() });

/** A campaign as the API shows it (`CampaignSummary`, docs/reviews.md#metrics). */
const campaignSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  name: z.string(),
  scope: z.object({ kind: z.enum(scopeKinds), clientId: z.string().optional() }),
  status: z.enum(['open', 'closed']),
  createdBy: z.uuid().nullable(),
  launchedAt: isoDate,
  dueAt: isoDate,
  undecidedPolicy: z.enum(['revoke', 'keep']),
  snapshotSha256: z.string(),
  closedAt: isoDate.nullable(),
  closedBy: z.uuid().nullable(),
  metrics: z.object({
    items: z.number().int(),
    decided: z.number().int(),
    onTime: z.number().int(),
    revoked: z.number().int(),
    unreviewable: z.number().int(),
  }),
});

/** One item as recorded (`ReviewItemRecord`): the snapshot, the review and its effect. */
const itemSchema = z.object({
  id: z.uuid(),
  position: z.number().int(),
  subject: namedUserSchema,
  roleKey: z.string().nullable(),
  apiKeyId: z.uuid().nullable(),
  apiKeyName: z.string().nullable(),
  clientId: z.string().nullable(),
  permissions: z.array(z.string()),
  heldSince: isoDate,
  grantedBy: z.uuid().nullable(),
  source: z.enum(['admin', 'scim']),
  lastSignInAt: isoDate.nullable(),
  mfaEnrolled: z.boolean(),
  flags: z.array(z.enum(flags)),
  privileged: z.boolean(),
  reviewer: namedUserSchema.nullable(),
  /** Why them. */
  reviewerBasis: z.enum(reviewerBases).nullable(),
  decision: z.enum(decisions).nullable(),
  droppedRoleKeys: z.array(z.string()).nullable(),
  justification: z.string().nullable(),
  decidedBy: namedUserSchema.nullable(),
  decidedAt: isoDate.nullable(),
  outcome: z.enum(['kept', 'revoked', 'reduced', 'already_gone']).nullable(),
  revokedAt: isoDate.nullable(),
});

const queuedItemSchema = itemSchema.extend({
  campaign: z.object({ id: z.uuid(), name: z.string(), dueAt: isoDate }),
});

/** The evidence bundle (docs/reviews.md#evidence-export), answered as exported, byte for byte. */
const evidenceSchema = z.object({
  manifest: z.object({
    format: z.literal('vigil.review-evidence.v1'),
    campaignId: z.uuid(),
    orgId: z.uuid(),
    closedAt: z.string(),
    exportedAt: z.string(),
    files: z.array(z.object({ name: z.string(), size: z.number().int(), sha256: z.string() })),
    key: z.object({
      id: z.string(),
      algorithm: z.literal('Ed25519'),
      fingerprint: z.string(),
      publicKeyJwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }),
    }),
  }),
  signature: z.string(),
  files: z.array(z.object({ name: z.string(), content: z.string() })),
});

/** `true` or `false` in a query. */
const booleanQuery = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .optional();

/**
 * A campaign to launch. What only the domain can judge (a due date after now, a client of the
 * organization) is its specific `review.*` error; the shape is checked here.
 */
const launchBody = z
  .object({
    name: z.string().max(200),
    scope: z
      .object({ kind: z.enum(scopeKinds), clientId: z.string().min(1).max(200).optional() })
      .strict(),
    /** An ISO date-time with its offset. */
    dueAt: z.iso.datetime({ offset: true }),
    undecided: z.enum(['revoke', 'keep']).optional(),
  })
  .strict();

const reassignBody = z.object({ reviewerId: z.uuid(), reason: z.string().max(500) }).strict();

const decisionBody = z
  .object({
    itemIds: z.array(z.uuid()).min(1).max(500),
    decision: z.enum(decisions),
    justification: z.string().max(2000).optional(),
    droppedRoleKeys: z.array(z.string().max(100)).min(1).max(50).optional(),
  })
  .strict();

const listQuery = z.object({ status: z.enum(['open', 'closed']).optional() }).strict();

const itemsQuery = z
  .object({
    reviewerId: z.uuid().optional(),
    decision: z.enum([...decisions, 'undecided']).optional(),
    flag: z.enum(flags).optional(),
    privileged: booleanQuery,
  })
  .strict();

const queueQuery = z
  .object({
    campaignId: z.uuid().optional(),
    flag: z.enum(flags).optional(),
    privileged: booleanQuery,
  })
  .strict();

/**
 * Access reviews (docs/reviews.md): campaigns launched, followed and closed by holders of
 * `reviews.manage`; each reviewer's queue and decisions with `reviews.decide`; a closed
 * campaign's signed evidence for the auditor.
 */
export const reviewRoutes = [
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/review-campaigns',
    summary:
      'Launch an access review campaign: its items are the scope as of now, each with a reviewer who is not its subject',
    permission: 'reviews.manage',
    scope: 'org',
    body: launchBody,
    example: {
      name: 'Privileged access 2026 Q4',
      scope: { kind: 'privileged_roles' },
      dueAt: '2099-12-15T17:00:00Z',
    },
    response: campaignSchema,
    async handler(call) {
      const { dueAt, ...input } = call.body;
      const campaign = await call.services.reviews.launch(
        call.tx,
        call.orgId,
        { ...input, dueAt: new Date(dueAt) },
        call.actor,
      );
      return { status: 201, body: campaign };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/review-campaigns',
    summary: 'Access review campaigns of the organization with their metrics, newest first',
    permission: 'reviews.manage',
    scope: 'org',
    query: listQuery,
    response: z.object({ items: z.array(campaignSchema) }),
    async handler(call) {
      const items = await call.services.reviews.list(call.tx, call.orgId, call.query.status);
      return { body: { items } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/review-campaigns/{campaignId}',
    summary: "A campaign's metrics and each reviewer's progress (items assigned and decided)",
    permission: 'reviews.manage',
    scope: 'org',
    response: campaignSchema.extend({
      reviewers: z.array(
        z.object({
          reviewer: namedUserSchema,
          assigned: z.number().int(),
          decided: z.number().int(),
        }),
      ),
    }),
    async handler(call) {
      const progress = await call.services.reviews.progress(
        call.tx,
        call.orgId,
        call.params.campaignId,
      );
      return { body: progress };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/review-campaigns/{campaignId}/items',
    summary:
      "A campaign's items in snapshot order, by reviewer, decision (or undecided), flag or privilege",
    permission: 'reviews.manage',
    scope: 'org',
    query: itemsQuery,
    response: z.object({ items: z.array(itemSchema) }),
    async handler(call) {
      const items = await call.services.reviews.items(
        call.tx,
        call.orgId,
        call.params.campaignId,
        call.query,
      );
      return { body: { items } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/review-campaigns/{campaignId}/close',
    summary:
      'Close a campaign: decisions applied, undecided items revoked or kept by its policy, those who lost access signed out',
    permission: 'reviews.manage',
    scope: 'org',
    response: campaignSchema.extend({ clean: z.boolean() }),
    async handler(call) {
      const closed = await call.services.reviews.close(
        call.tx,
        call.orgId,
        call.params.campaignId,
        call.actor,
      );
      return { body: closed };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/review-campaigns/{campaignId}/evidence',
    summary:
      "A closed campaign's evidence: CSV and JSON of every item in one bundle signed with the audit seal key (a download)",
    permission: 'audit.read',
    scope: 'org',
    response: evidenceSchema,
    async handler(call) {
      const { fileName, text } = await call.services.reviewEvidence.export(
        call.tx,
        call.orgId,
        call.params.campaignId,
      );
      // The bundle as exported: `reviews verify` refuses any other serialization of it.
      return { type: 'application/json', body: text, filename: fileName };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/review-items/{itemId}/reassign',
    summary: "Give an open campaign's item another reviewer, with a reason (never its subject)",
    permission: 'reviews.manage',
    scope: 'org',
    body: reassignBody,
    example: {
      reviewerId: '0190f5a4-0000-7000-8000-000000000001',
      reason: 'the manager is on leave',
    },
    response: itemSchema,
    async handler(call) {
      const { reviewerId, reason } = call.body;
      const item = await call.services.reviews.reassign(
        call.tx,
        call.orgId,
        call.params.itemId,
        reviewerId,
        reason,
        call.actor,
      );
      return { body: item };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/review-queue',
    summary:
      "Your undecided items of the organization's open campaigns, oldest campaign first (a person's: an API key reviews nothing)",
    permission: 'reviews.decide',
    scope: 'org',
    query: queueQuery,
    response: z.object({ items: z.array(queuedItemSchema) }),
    async handler(call) {
      const reviewer = userOnly(call);
      const items = await call.services.reviews.queue(
        call.tx,
        call.orgId,
        reviewer.userId,
        call.query,
      );
      return { body: { items } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/review-decisions',
    summary:
      'Decide items assigned to you (1 to 500 at once): all or none, never your own access; keeping privileged access needs a justification',
    permission: 'reviews.decide',
    scope: 'org',
    body: decisionBody,
    example: {
      itemIds: ['0190f5a4-0000-7000-8000-000000000001'],
      decision: 'keep',
      justification: 'still on the payments on-call rota',
    },
    response: z.object({ decided: z.number().int() }),
    async handler(call) {
      const { itemIds, ...decision } = call.body;
      const decided = await call.services.reviews.decide(
        call.tx,
        call.orgId,
        itemIds,
        decision,
        call.actor,
      );
      return { body: { decided: decided.length } };
    },
  }),
];
