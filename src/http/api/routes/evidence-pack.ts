import { Readable } from 'node:stream';
import { z } from 'zod';
import { packFileName, packPeriod } from '../../../compliance/index.ts';
import { defineRoute } from '../route.ts';

/** The period's first and last day (both included), YYYY-MM-DD; checked by `packPeriod`. */
const packQuery = z.object({ from: z.string().max(40), to: z.string().max(40) }).strict();

/** The signed evidence pack of an audit period (docs/compliance.md#evidence-packs). */
export const evidencePackRoutes = [
  defineRoute({
    method: 'GET',
    path: '/orgs/{orgId}/evidence-pack',
    summary:
      "The organization's signed evidence pack for a period of at most 400 days: a ZIP, streamed (audited)",
    permission: 'compliance.export',
    scope: 'org',
    query: packQuery,
    alternatives: ['application/zip'],
    async handler(call) {
      const { orgId, actor, services } = call;
      // A bad period is a problem document before anything is read.
      const period = packPeriod(call.query);
      const org = await call.tx
        .selectFrom('organizations')
        .select('slug')
        .where('id', '=', orgId)
        .executeTakeFirstOrThrow();
      // The pack reads in its own transactions (platform scope for the seal blocks and keys,
      // then a snapshot of the organization): like the audit export, it starts after this
      // transaction, as the client takes the answer.
      async function* pack() {
        const built = await services.evidencePacks.build({ orgId, period, actor });
        for await (const chunk of built.stream) yield chunk as Buffer;
        await built.done;
      }
      return {
        type: 'application/zip',
        body: Readable.from(pack()),
        filename: packFileName(org.slug, period),
      };
    },
  }),
];
