/**
 * `vigil evidence export --org SLUG --from DATE --to DATE --out FILE`
 * (docs/compliance.md#evidence-packs): the organization's signed evidence pack for a period,
 * streamed to a file; prints the manifest's SHA-256 and the file count, as the audit records.
 */
import { open, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { type PackResult, packPeriod } from '../../compliance/index.ts';
import { operatorActor } from '../../platform/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  findOrg,
  onlyOptions,
  positional,
  print,
  required,
  UsageError,
  withCore,
} from './kit.ts';

const badPeriod = asUsage(['evidence.period_invalid'], { from: '--from', to: '--to' });

/** Writes the pack to `out`; a pack that fails half way leaves no file behind. */
async function exportPack(ctx: Parameters<Command>[0]): Promise<number> {
  const command = 'evidence export';
  onlyOptions(ctx, command, ['org', 'from', 'to', 'out']);
  positional(ctx, command, []);
  const slug = required(ctx, command, 'org', 'SLUG');
  const out = required(ctx, command, 'out', 'FILE');
  let period: ReturnType<typeof packPeriod>;
  try {
    period = packPeriod({
      from: required(ctx, command, 'from', 'YYYY-MM-DD'),
      to: required(ctx, command, 'to', 'YYYY-MM-DD'),
    });
  } catch (err) {
    return badPeriod(err);
  }
  return withCore(ctx, async (core) => {
    const services = createServices(core);
    const org = findOrg(await services.tenancy.organizations(), slug);
    // `wx`: never overwrite a file already there (an earlier pack an auditor holds), and know
    // it before the pack is built.
    const file = await open(out, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST')
        throw new UsageError(`--out: ${out} exists; a pack never overwrites a file`);
      throw err;
    });
    let result: PackResult;
    let fileName: string;
    try {
      const pack = await services.evidencePacks.build({
        orgId: org.id,
        period,
        actor: operatorActor,
      });
      fileName = pack.fileName;
      await pipeline(pack.stream, file.createWriteStream());
      result = await pack.done;
    } catch (err) {
      await file.close().catch(() => undefined);
      await rm(out, { force: true });
      throw err;
    }
    print(
      ctx,
      [
        `wrote ${fileName} to ${out}`,
        `${result.fileCount} files, manifest SHA-256 ${result.manifestSha256}`,
        `signed by audit seal key ${result.manifest.key.id} (fingerprint ${result.manifest.key.fingerprint})`,
      ].join('\n'),
      {
        out,
        fileName,
        org: result.manifest.org,
        period: result.manifest.period,
        files: result.fileCount,
        manifestSha256: result.manifestSha256,
        key: { id: result.manifest.key.id, fingerprint: result.manifest.key.fingerprint },
      },
    );
    return 0;
  });
}

export const evidenceCommands: Record<string, Command> = {
  'evidence export': exportPack,
};
