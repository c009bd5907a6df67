import { writeFileSync } from 'node:fs';
import { createServices } from '../services.ts';
import {
  type Command,
  type CommandContext,
  findOrg,
  onlyOptions,
  positional,
  text,
  UsageError,
  withCore,
} from './kit.ts';

/**
 * The auditor's access exports (docs/access-control.md#exports): the permission matrix or the
 * user-access listing of one organization, as CSV (default) or JSON, to stdout or `--out`.
 */
async function accessExport(
  ctx: CommandContext,
  command: 'access matrix' | 'access users',
): Promise<number> {
  onlyOptions(ctx, command, ['org', 'format', 'out']);
  positional(ctx, command, []);
  const format = text(ctx, 'format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new UsageError('--format must be csv or json');
  if (text(ctx, 'org') === undefined) throw new UsageError(`${command} needs --org SLUG`);
  return withCore(ctx, async (core) => {
    const services = createServices(core);
    const org = findOrg(await services.tenancy.organizations(), text(ctx, 'org'));
    const report = command === 'access matrix' ? 'matrix' : 'users';
    const body = await services.accessExports.exportOf(org, report, format);
    const out = text(ctx, 'out');
    if (out) writeFileSync(out, body, { mode: 0o600 });
    else ctx.stdout.write(body);
    return 0;
  });
}

export const accessCommands: Record<string, Command> = {
  'access matrix': (ctx) => accessExport(ctx, 'access matrix'),
  'access users': (ctx) => accessExport(ctx, 'access users'),
};
