import { readFileSync } from 'node:fs';
import { isUuid, operatorActor } from '../../platform/index.ts';
import type { SiemStream, StreamUpdate } from '../../siem/index.ts';
import { createServices, type Services } from '../services.ts';
import {
  asUsage,
  type Command,
  type CommandContext,
  findOrg,
  iso,
  onlyOptions,
  positional,
  print,
  required,
  tableOr,
  text,
  UsageError,
  withCore,
} from './kit.ts';

/** The service's validation, in the words of the command line. */
const invalidStream = asUsage(['siem.invalid'], {
  name: '--name',
  kind: '--kind',
  format: '--format',
  url: '--url',
  caPem: '--ca-file',
  from: '--from',
});

/** The PEM in `--ca-file`, when given. */
function caPemOf(ctx: CommandContext): string | undefined {
  const file = text(ctx, 'ca-file');
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--ca-file: cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
}

/** The stream a command acts on. */
function idOf(ctx: CommandContext, command: string): string {
  const [id = ''] = positional(ctx, command, ['id']);
  if (!isUuid(id)) throw new UsageError(`${command}: ${id} is not a stream id`);
  return id;
}

/** The services and the organization `--org` names (the platform's when omitted). */
function withOrgServices<T>(
  ctx: CommandContext,
  work: (services: Services, org: { id: string; slug: string }) => Promise<T>,
): Promise<T> {
  return withCore(ctx, async (core) => {
    const services = createServices(core);
    return work(services, findOrg(await services.tenancy.organizations(), text(ctx, 'org')));
  });
}

const describe = (s: SiemStream) =>
  `${s.kind} stream ${s.id} "${s.name}" → ${s.url} (${s.format}${s.enabled ? '' : ', disabled'})`;

/**
 * SIEM streams from the command line (docs/siem.md#cli): the admin API's operations, and one
 * sending round now. Without `--org`, the platform's streams, which carry every organization.
 */
export const siemCommands: Record<string, Command> = {
  async 'siem list'(ctx) {
    onlyOptions(ctx, 'siem list', ['org']);
    positional(ctx, 'siem list', []);
    return withOrgServices(ctx, async (services, org) => {
      const streams = await services.siemStreams.inOrg.list(org.id);
      const rows = streams.map((s) => [
        s.id,
        s.name,
        s.kind,
        s.format,
        s.url,
        s.enabled ? 'yes' : 'no',
        String(s.lag),
        s.failures > 0 ? `${s.failures}: ${s.lastError ?? ''}` : '-',
        iso(s.lastDeliveredAt),
      ]);
      const header = ['ID', 'NAME', 'KIND', 'FORMAT', 'URL', 'ENABLED', 'LAG', 'FAILURES'];
      print(ctx, tableOr([...header, 'LAST DELIVERED'], rows, `no SIEM streams in ${org.slug}`), {
        streams,
      });
      return 0;
    });
  },

  async 'siem add'(ctx) {
    const command = 'siem add';
    onlyOptions(ctx, command, ['org', 'name', 'kind', 'url', 'format', 'ca-file', 'from']);
    positional(ctx, command, []);
    const input = {
      name: required(ctx, command, 'name', 'NAME'),
      kind: required(ctx, command, 'kind', 'syslog|webhook') as 'syslog' | 'webhook',
      url: required(ctx, command, 'url', 'URL'),
      format: text(ctx, 'format') as 'ocsf' | 'jsonl' | undefined,
      caPem: caPemOf(ctx),
      from: text(ctx, 'from') as 'now' | 'beginning' | undefined,
    };
    return withOrgServices(ctx, async (services, org) => {
      const { stream, secret } = await services.siemStreams.inOrg
        .create(org.id, input, operatorActor)
        .catch(invalidStream);
      const lines = [`added ${describe(stream)} for ${org.slug}`];
      if (secret)
        lines.push(
          `signing secret: ${secret}`,
          'The secret is shown this once and cannot be shown again: give it to the receiver now.',
        );
      print(ctx, lines.join('\n'), { stream, ...(secret ? { secret, shownOnce: true } : {}) });
      return 0;
    });
  },

  async 'siem update'(ctx) {
    const command = 'siem update';
    onlyOptions(ctx, command, ['org', 'name', 'url', 'format', 'ca-file', 'enable', 'disable']);
    const id = idOf(ctx, command);
    if (ctx.options.enable === true && ctx.options.disable === true)
      throw new UsageError(`${command}: --enable or --disable, not both`);
    const change: StreamUpdate = {
      name: text(ctx, 'name'),
      url: text(ctx, 'url'),
      format: text(ctx, 'format') as 'ocsf' | 'jsonl' | undefined,
      caPem: caPemOf(ctx),
      enabled:
        ctx.options.enable === true ? true : ctx.options.disable === true ? false : undefined,
    };
    return withOrgServices(ctx, async (services, org) => {
      const stream = await services.siemStreams.inOrg
        .update(org.id, id, change, operatorActor)
        .catch(invalidStream);
      print(ctx, `updated ${describe(stream)}`, { stream });
      return 0;
    });
  },

  async 'siem rotate'(ctx) {
    const command = 'siem rotate';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command);
    return withOrgServices(ctx, async (services, org) => {
      const secret = await services.siemStreams.inOrg.rotateSecret(org.id, id, operatorActor);
      print(
        ctx,
        `new signing secret of stream ${id}: ${secret}\nShown this once; the old secret no longer signs.`,
        { id, secret, shownOnce: true },
      );
      return 0;
    });
  },

  async 'siem delete'(ctx) {
    const command = 'siem delete';
    onlyOptions(ctx, command, ['org']);
    const id = idOf(ctx, command);
    return withOrgServices(ctx, async (services, org) => {
      await services.siemStreams.inOrg.remove(org.id, id, operatorActor);
      print(ctx, `SIEM stream ${id} deleted`, { id, deleted: true });
      return 0;
    });
  },

  async 'siem run'(ctx) {
    onlyOptions(ctx, 'siem run', []);
    positional(ctx, 'siem run', []);
    return withCore(ctx, async (core) => {
      // Asked by the operator: every enabled stream now, back-off or not.
      const report = await createServices(core).siemRunner.runRound({ all: true });
      const human = report.ran
        ? [
            `streams tried: ${report.streams}`,
            `events delivered: ${report.delivered}`,
            ...(report.failed > 0 ? [`streams that failed (see siem list): ${report.failed}`] : []),
          ].join('\n')
        : 'another node is sending the SIEM streams; nothing done';
      print(ctx, human, report);
      return report.failed > 0 ? 1 : 0;
    });
  },
};
