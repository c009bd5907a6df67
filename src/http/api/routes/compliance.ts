import { Readable } from 'node:stream';
import { z } from 'zod';
import type { ComplianceService } from '../../../compliance/index.ts';
import { type ApiCall, defineRoute, isoDate } from '../route.ts';

const statusSchema = z.enum(['pass', 'fail', 'not_applicable']);
const exceptionSchema = z.object({
  message: z.string(),
  subject: z.object({ type: z.string(), id: z.string() }).optional(),
});

/** Every control with its current result (docs/compliance.md#api-and-cli). */
const controlsSchema = z.object({
  criteria: z.record(z.string(), z.string()),
  lastRunAt: isoDate.nullable(),
  controls: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      description: z.string(),
      test: z.string(),
      criteria: z.array(z.string()),
      scope: z.enum(['org', 'platform']),
      evidence: z.array(z.string()),
      result: z
        .object({
          status: statusSchema,
          summary: z.string(),
          exceptions: z.array(exceptionSchema),
          since: isoDate,
          checkedAt: isoDate,
        })
        .nullable(),
    }),
  ),
});

const historySchema = z.object({
  results: z.array(
    z.object({
      status: statusSchema,
      summary: z.string(),
      exceptions: z.array(exceptionSchema),
      since: isoDate,
      until: isoDate,
    }),
  ),
});

const postureSchema = z.object({
  days: z.array(
    z.object({
      day: z.iso.date(),
      pass: z.number().int(),
      fail: z.number().int(),
      notApplicable: z.number().int(),
      unchecked: z.number().int(),
    }),
  ),
});

/** The period's text is checked by the service (compliance.period_invalid names the field). */
const periodQuery = z
  .object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() })
  .strict();

/**
 * The answer, computed once this route's transaction has ended: the checks and the platform's
 * results need transactions of their own (another scope), which the route's would block on a
 * single connection. A refusal before the first byte still becomes a problem document.
 */
function after<S extends z.ZodType>(
  schema: S,
  work: (compliance: ComplianceService) => Promise<z.input<S>>,
  call: ApiCall,
) {
  async function* answer() {
    yield JSON.stringify(schema.parse(await work(call.services.compliance)));
  }
  return { type: 'application/json', body: Readable.from(answer()) };
}

/** The live control checks and the posture (docs/compliance.md#api-and-cli). */
export const complianceRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/compliance/controls',
    summary:
      "Every control of the catalog with its SOC 2 criteria and current result (the platform's controls as the platform's)",
    permission: 'compliance.read',
    scope: 'org',
    response: controlsSchema,
    async handler(call) {
      return after(controlsSchema, (c) => c.controlsOf(call.orgId), call);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/compliance/controls/{control}/history',
    summary:
      "A control's results over a period (from, to: ISO dates; default the last 30 days, at most 400), oldest first",
    permission: 'compliance.read',
    scope: 'org',
    query: periodQuery,
    response: historySchema,
    async handler(call) {
      const { control } = call.params;
      return after(historySchema, (c) => c.history(call.orgId, control, call.query), call);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/compliance/posture',
    summary:
      'How many controls passed, failed, were not applicable or unchecked at the end of each UTC day (from, to: YYYY-MM-DD; default the last 30 days, at most 400)',
    permission: 'compliance.read',
    scope: 'org',
    query: periodQuery,
    response: postureSchema,
    async handler(call) {
      return after(postureSchema, (c) => c.posture(call.orgId, call.query), call);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/orgs/{orgId}/compliance/runs',
    summary:
      "Run the organization's checks now (the platform organization: the platform's too) and answer every control as GET controls does (a change of verdict is audited)",
    permission: 'compliance.read',
    scope: 'org',
    response: controlsSchema,
    async handler(call) {
      return after(
        controlsSchema,
        async (c) => (await c.runNow(call.orgId, call.actor)).view,
        call,
      );
    },
  }),
];
