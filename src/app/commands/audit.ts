import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import {
  createAuditVerification,
  exportEvents,
  sealAll,
  verifyAuditLog,
} from '../../audit/index.ts';
import { isUuid, operatorActor, platformOrgId } from '../../platform/index.ts';
import { archiveCommands, verifyArchives } from './audit-archive.ts';
import { type Command, date, print, UsageError, withCore } from './kit.ts';

/** The audit log: check it for tampering, export it (docs/audit.md). */
export const auditCommands: Record<string, Command> = {
  async 'audit verify'(ctx) {
    // Archived months, offline (docs/audit.md#retention-and-archives).
    if (ctx.options.archive !== undefined) return verifyArchives(ctx);
    return withCore(ctx, async (core) => {
      const sealed = await sealAll(core.sealer);
      const ranAt = core.clock.now();
      const started = Date.now();
      const report = await verifyAuditLog({ database: core.database, keys: core.keys });
      const seconds = (Date.now() - started) / 1000;
      // Recorded like a scheduled run (`audit.verified`): a failure raises the critical alert.
      await createAuditVerification({ sealer: core.sealer, audit: core.audit }).record(
        platformOrgId,
        report,
        ranAt,
        operatorActor,
      );
      const lines = [
        `${report.events} events in ${report.blocks} seal blocks checked in ${seconds.toFixed(1)} s (${sealed} newly sealed, ${report.pending} pending, ${report.archived} archived)`,
        ...report.findings.map((f) => `  ${f.kind.toUpperCase()}: ${f.message}`),
        report.ok ? 'audit log intact' : `TAMPERING DETECTED: ${report.findings.length} finding(s)`,
      ];
      print(ctx, lines.join('\n'), { ...report, sealed, seconds });
      return report.ok ? 0 : 1;
    });
  },

  async 'audit export'(ctx) {
    const format = ctx.options.format ?? 'jsonl';
    // ocsf: JSON Lines of OCSF events (docs/siem.md#ocsf).
    if (format !== 'jsonl' && format !== 'csv' && format !== 'ocsf')
      throw new UsageError('--format must be jsonl, csv or ocsf');
    const org = ctx.options.org;
    if (org !== undefined && !isUuid(org)) throw new UsageError('--org must be an organization id');
    const from = date(ctx.options.from, 'from');
    const to = date(ctx.options.to, 'to');
    return withCore(ctx, async (core) => {
      const out =
        typeof ctx.options.out === 'string'
          ? createWriteStream(ctx.options.out, { mode: 0o600 })
          : ctx.stdout;
      let count = 0;
      for await (const chunk of exportEvents(core.database, {
        format,
        from,
        to,
        orgId: org as string | undefined,
      })) {
        count += chunk.split('\n').length - 1;
        if (!out.write(chunk)) await once(out, 'drain');
      }
      if (out !== ctx.stdout) {
        out.end();
        await once(out, 'finish');
        ctx.stderr.write(
          `exported ${format === 'csv' ? count - 1 : count} events to ${String(ctx.options.out)}\n`,
        );
      }
      return 0;
    });
  },
  ...archiveCommands,
};
