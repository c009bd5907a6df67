import { Readable } from 'node:stream';
import { z } from 'zod';
import { exportEvents } from '../../../audit/index.ts';
import type { AccessExports } from '../../../compliance/index.ts';
import { auditActions } from '../../../platform/index.ts';
import { type ApiCall, type ApiRoute, defineRoute, isoDate } from '../route.ts';

const exportQuery = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();

const period = {
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
};

const eventQuery = z
  .object({
    ...period,
    /** An exact action, or a prefix ending in `.*` (`auth.login.*`). */
    action: z
      .string()
      .regex(/^[a-z0-9_.]+(\.\*)?$/)
      .max(100)
      .optional(),
    outcome: z.enum(['success', 'failure', 'denied']).optional(),
    actorId: z.string().max(100).optional(),
    targetId: z.string().max(200).optional(),
    targetType: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(200).optional(),
  })
  .strict();

/** `ocsf`: JSON Lines of OCSF events (docs/siem.md#ocsf). */
const eventExportQuery = z
  .object({ ...period, format: z.enum(['jsonl', 'csv', 'ocsf']).default('jsonl') })
  .strict();

/** An audit event as the API shows it: `parse` maps a domain `AuditEvent` to it. */
const eventSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  occurredAt: isoDate,
  actor: z.object({
    type: z.string(),
    id: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  }),
  action: z.string(),
  target: z.object({ type: z.string().nullable(), id: z.string().nullable() }),
  outcome: z.enum(['success', 'failure', 'denied']),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

/** A verification run as one organization sees it (docs/audit.md#verification). */
const verificationSchema = z.object({
  ok: z.boolean(),
  ranAt: isoDate,
  checkedEvents: z.number().int(),
  sealBlocks: z.number().int(),
  pendingEvents: z.number().int(),
  lastSealedAt: isoDate.nullable(),
  problems: z.array(
    z.object({
      kind: z.enum(['altered', 'deleted', 'inserted', 'block_missing', 'block_altered']),
      eventId: z.string().nullable(),
      block: z.string().nullable(),
      message: z.string(),
    }),
  ),
  moreProblems: z.number().int(),
  otherProblems: z.number().int(),
});

/** Every audit action with what it records: what the console's action filter offers. */
const actionCatalog = {
  items: Object.entries(auditActions).map(([action, description]) => ({ action, description })),
};

/** The permission matrix: every permission with its risk, every role with what it grants. */
const matrixSchema = z.object({
  permissions: z.array(
    z.object({
      id: z.string(),
      description: z.string(),
      risk: z.enum(['low', 'medium', 'high', 'critical']),
    }),
  ),
  roles: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      description: z.string(),
      purpose: z.string(),
      builtIn: z.boolean(),
      privileged: z.boolean(),
      requireMfa: z.boolean(),
      requiresApproval: z.boolean(),
      permissions: z.array(z.string()),
    }),
  ),
});

/** The user-access listing: one line per user (its dates already ISO strings, as in the CSV). */
const userAccessSchema = z.object({
  items: z.array(
    z.object({
      userId: z.uuid(),
      email: z.string(),
      name: z.string(),
      status: z.enum(['active', 'suspended', 'deprovisioned']),
      roles: z.array(z.string()),
      privileged: z.boolean(),
      mfaEnrolled: z.boolean(),
      lastSignIn: z.iso.datetime().nullable(),
      created: z.iso.datetime(),
      deactivated: z.iso.datetime().nullable(),
    }),
  ),
});

const dateOf = (iso?: string) => (iso ? new Date(iso) : undefined);

/** One of the auditor's access exports, as JSON or (`?format=csv`) CSV. */
function accessExport<Response extends z.ZodType>(
  name: string,
  summary: string,
  response: Response,
  json: (exports: AccessExports, call: ApiCall) => Promise<z.input<Response>>,
  csv: (exports: AccessExports, call: ApiCall) => Promise<string>,
): ApiRoute {
  return defineRoute({
    method: 'GET',
    path: `/orgs/{orgId}/exports/${name}`,
    summary,
    permission: 'audit.read',
    scope: 'org',
    query: exportQuery,
    response,
    alternatives: ['text/csv'],
    async handler(call) {
      const exports = call.services.accessExports;
      return call.query.format === 'csv'
        ? { type: 'text/csv', body: await csv(exports, call) }
        : { body: await json(exports, call) };
    },
  });
}

/** What an auditor asks for: the audit log, the permission matrix, the user-access listing. */
export const evidenceRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/audit-events',
    summary: 'Audit events of the organization, newest first (cursor pagination, filters)',
    permission: 'audit.read',
    scope: 'org',
    query: eventQuery,
    response: z.object({ items: z.array(eventSchema), nextCursor: z.string().nullable() }),
    async handler(call) {
      const q = call.query;
      const page = await call.services.audit.query(call.tx, {
        ...q,
        orgId: call.orgId,
        from: dateOf(q.from),
        to: dateOf(q.to),
      });
      return { body: { items: page.events, nextCursor: page.nextCursor } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/audit-actions',
    summary: 'Every audit action Vigil records, with what it means',
    permission: 'audit.read',
    scope: 'org',
    response: z.object({
      items: z.array(z.object({ action: z.string(), description: z.string() })),
    }),
    async handler() {
      return { body: actionCatalog };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/audit-verification',
    summary:
      "The organization's latest audit-log verification and its result (null before the first)",
    permission: 'audit.read',
    scope: 'org',
    response: z.object({ lastRun: verificationSchema.nullable() }),
    async handler(call) {
      const lastRun = await call.services.auditVerification.lastRun(call.tx, call.orgId);
      return { body: { lastRun } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/audit-verification',
    summary:
      'Seal and verify the whole audit log now: the result as the organization sees it (audited)',
    permission: 'audit.read',
    scope: 'org',
    response: verificationSchema,
    async handler(call) {
      const { orgId, actor, services } = call;
      // The whole chain and its seal blocks are read in platform scope, which this organization's
      // transaction cannot see: like the export, the run starts after it, as the answer is sent.
      // A refusal before the answer's first byte still becomes a problem document.
      async function* answer() {
        const run = await services.auditVerification.run(orgId, actor);
        yield JSON.stringify(verificationSchema.parse(run));
      }
      return { type: 'application/json', body: Readable.from(answer()) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/audit-events/export',
    summary:
      'Every audit event of a period, oldest first, as JSON Lines (native or OCSF) or CSV (audited)',
    permission: 'audit.read',
    scope: 'org',
    query: eventExportQuery,
    alternatives: ['application/x-ndjson', 'text/csv'],
    async handler(call) {
      const q = call.query;
      const options = {
        orgId: call.orgId,
        format: q.format,
        from: dateOf(q.from),
        to: dateOf(q.to),
      };
      // Who took the log out, and which part of it, is itself evidence.
      await call.services.audit.record(call.tx, {
        orgId: call.orgId,
        action: 'audit.exported',
        actor: call.actor,
        details: { format: q.format, from: q.from ?? null, to: q.to ?? null },
      });
      // Read page by page after this transaction, as the client takes the answer.
      return {
        type: q.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
        body: Readable.from(exportEvents(call.services.database, options)),
      };
    },
  }),
  accessExport(
    'permission-matrix',
    'The permission matrix, for the auditor (JSON or CSV)',
    matrixSchema,
    (exports, call) => exports.permissionMatrix(call.tx, call.orgId),
    (exports, call) => exports.permissionMatrixCsv(call.tx, call.orgId),
  ),
  accessExport(
    'user-access',
    'Every user with status, roles, privilege, MFA and last sign-in (JSON or CSV)',
    userAccessSchema,
    async (exports, call) => ({ items: await exports.userAccess(call.tx, call.orgId) }),
    (exports, call) => exports.userAccessCsv(call.tx, call.orgId),
  ),
];
