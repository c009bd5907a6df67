/** What every CLI command is built from (the command groups in this folder). */
import {
  type Config,
  type Database,
  isAppError,
  isUuid,
  type Logger,
  platformOrgId,
} from '../../platform/index.ts';
import type { Organization } from '../../tenancy/index.ts';
import { type Core, openCore } from '../core.ts';

export interface CommandContext {
  config: Config;
  logger: Logger;
  options: Record<string, string | boolean | string[] | undefined>;
  /** The positional arguments after the command's name (e.g. the client id). */
  args: string[];
  json: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** An open database to use instead of opening the configured one (runCli's `database`). */
  database?: Database;
}

/** Returns the exit code; -1 means "keep running" (the server). */
export type Command = (ctx: CommandContext) => Promise<number>;

/** Bad command-line usage: exit code 2 with the usage text. */
export class UsageError extends Error {}

export function print(ctx: CommandContext, human: string, machine: unknown): void {
  ctx.stdout.write(ctx.json ? `${JSON.stringify(machine, null, 2)}\n` : `${human}\n`);
}

export async function withCore<T>(ctx: CommandContext, fn: (core: Core) => Promise<T>): Promise<T> {
  const core = await openCore({ config: ctx.config, logger: ctx.logger, database: ctx.database });
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

export function date(value: CommandContext['options'][string], name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} must be an ISO date or time`);
  return d;
}

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : '-');

/** Left-aligned columns, two spaces apart. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The table of `rows`, or `empty` when there are none (`no API keys in acme`). */
export function tableOr(header: string[], rows: string[][], empty: string): string {
  return rows.length ? table(header, rows) : empty;
}

/** A lifetime in days (`--days`, `--expires-in-days`), undefined when the option is absent. */
export function days(ctx: CommandContext, name: string): number | undefined {
  const value = text(ctx, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,4}$/.test(value)) throw new UsageError(`--${name} must be a number of days`);
  return Number(value);
}

/** Refuses options the command does not take (`--json` and `--help` go everywhere). */
export function onlyOptions(ctx: CommandContext, command: string, allowed: string[]): void {
  for (const [name, value] of Object.entries(ctx.options)) {
    if (value === undefined || value === false || name === 'json' || name === 'help') continue;
    if (!allowed.includes(name)) throw new UsageError(`${command} does not take --${name}`);
  }
}

/** The positional arguments of a command, exactly as many as it takes. */
export function positional(ctx: CommandContext, command: string, names: string[]): string[] {
  if (ctx.args.length !== names.length)
    throw new UsageError(
      names.length === 0
        ? `${command} takes no arguments`
        : `${command} needs ${names.map((n) => n.toUpperCase()).join(' ')}`,
    );
  return ctx.args;
}

/** The one id a command acts on (its first positional argument), which must be a UUID. */
export function idOf(ctx: CommandContext, command: string, what: string): string {
  const [id = ''] = positional(ctx, command, [what]);
  if (!isUuid(id)) throw new UsageError(`${command}: ${id} is not a valid ${what} id`);
  return id;
}

export function text(ctx: CommandContext, name: string): string | undefined {
  const value = ctx.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** The value of an option the command cannot do without: `command needs --name PLACEHOLDER`. */
export function required(ctx: CommandContext, command: string, name: string, placeholder: string) {
  const value = text(ctx, name);
  if (!value) throw new UsageError(`${command} needs --${name} ${placeholder}`);
  return value;
}

/**
 * A service's validation errors (`codes`, each message `field: problem`) in the words of the
 * command line: a usage error naming the option that set the field (`optionOf`).
 */
export function asUsage(codes: string[], optionOf: Record<string, string>) {
  return (err: unknown): never => {
    if (isAppError(err) && codes.includes(err.code)) {
      const [field = '', ...rest] = err.message.split(': ');
      throw new UsageError(`${optionOf[field] ?? field}: ${rest.join(': ')}`);
    }
    throw err;
  };
}

export function texts(ctx: CommandContext, name: string): string[] {
  const value = ctx.options[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** The organization `--org` (or `option`) names (slug or id); the platform when omitted. */
export function findOrg(
  orgs: Organization[],
  value: string | undefined,
  option = 'org',
): Organization {
  const org = orgs.find((o) =>
    value === undefined ? o.id === platformOrgId : o.slug === value || o.id === value,
  );
  if (!org) throw new UsageError(`--${option}: there is no organization ${value}`);
  return org;
}
