/** Audit retention and archives from the command line (docs/audit.md#retention-and-archives). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  type ArchiveFinding,
  type ArchiveManifest,
  archivedMonths,
  checkContinuity,
  directoryArchiveStore,
  readArchive,
} from '../../audit/index.ts';
import { ed25519PublicKeyFrom, type KeyObject } from '../../crypto/index.ts';
import { operatorActor } from '../../platform/index.ts';
import { auditArchiverOf } from '../audit-archiver.ts';
import { createServices } from '../services.ts';
import {
  type Command,
  type CommandContext,
  days,
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

const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('hex') : '-');

function expectedKey(path: string | undefined): KeyObject | undefined {
  if (path === undefined) return undefined;
  let body: string;
  try {
    body = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read --public-key ${path}`);
  }
  try {
    return ed25519PublicKeyFrom(body);
  } catch {
    throw new UsageError(`--public-key ${path} is not an Ed25519 public key (PEM or JWK)`);
  }
}

/** The directory and months `--archive PATH` names: a directory, or one month's file in one. */
async function archivePath(path: string): Promise<{ dir: string; months: string[] }> {
  if (!existsSync(path)) throw new UsageError(`--archive ${path} does not exist`);
  if (statSync(path).isDirectory())
    return { dir: path, months: await archivedMonths(directoryArchiveStore(path)) };
  const match = /^audit-(\d{4}-\d{2})\.(?:jsonl\.gz|manifest\.json)$/.exec(basename(path));
  if (!match?.[1]) throw new UsageError(`--archive ${path} is no audit archive file`);
  return { dir: dirname(path), months: [match[1]] };
}

/** Whether a database is configured to check the chain into (PostgreSQL, or embedded data). */
const hasDatabase = (ctx: CommandContext) =>
  ctx.database !== undefined ||
  ctx.config.DATABASE_URL !== undefined ||
  existsSync(join(ctx.config.VIGIL_DATA_DIR, 'pglite'));

/** `vigil audit verify --archive PATH [--public-key FILE]`: offline, no database needed. */
export async function verifyArchives(ctx: CommandContext): Promise<number> {
  onlyOptions(ctx, 'audit verify', ['archive', 'public-key']);
  const path = text(ctx, 'archive');
  if (!path) throw new UsageError('audit verify needs --archive PATH');
  const expected = expectedKey(text(ctx, 'public-key'));
  const { dir, months } = await archivePath(path);
  if (months.length === 0) throw new UsageError(`--archive ${path} holds no audit archives`);
  const store = directoryArchiveStore(dir);
  const findings: ArchiveFinding[] = [];
  const lines: string[] = [];
  let previous: ArchiveManifest | null = null;
  for (const month of months) {
    const check = await readArchive(store, month, expected);
    findings.push(...check.findings);
    const m = check.manifest;
    if (m && previous) findings.push(...checkContinuity(previous, m));
    if (m) previous = m;
    lines.push(
      `${month}: ${check.events.length} events, seal blocks ${m?.blocks[0]?.blockNo ?? '-'}..${m?.blocks[m.blocks.length - 1]?.blockNo ?? '-'}${check.findings.length ? '' : ', intact'}`,
    );
  }
  const last = previous;
  let live = 'not checked (no database)';
  if (last && hasDatabase(ctx)) {
    const into = await withCore(ctx, (core) =>
      auditArchiverOf(core).archiver.continuesIntoLive(last),
    );
    findings.push(...into);
    live = into.length ? 'broken' : 'continues';
  }
  const human = [
    ...lines,
    `chain into the live log: ${live}`,
    ...findings.map((f) => `  ${f.eventId ? 'CHANGED' : 'FAILED'}: ${f.message}`),
    findings.length === 0
      ? 'audit archives intact'
      : `TAMPERING DETECTED: ${findings.length} finding(s)`,
  ];
  print(ctx, human.join('\n'), { ok: findings.length === 0, months, live, findings });
  return findings.length === 0 ? 0 : 1;
}

export const archiveCommands: Record<string, Command> = {
  /** One archive round now: archive and drop the months past the hot period, then purge. */
  async 'audit archive'(ctx) {
    onlyOptions(ctx, 'audit archive', []);
    positional(ctx, 'audit archive', []);
    return withCore(ctx, async (core) => {
      const round = await auditArchiverOf(core).archiver.round(operatorActor);
      if (!round) {
        print(ctx, 'another node is archiving; nothing done', { ran: false });
        return 0;
      }
      const held = round.held
        ? `purge of ${round.held.month} held (legal hold: ${round.held.orgIds.join(', ')})`
        : null;
      print(
        ctx,
        [
          `archived and dropped: ${round.archived.join(', ') || 'none'}`,
          `purged: ${round.purged.join(', ') || 'none'}`,
          ...(held ? [held] : []),
        ].join('\n'),
        { ran: true, ...round },
      );
      return 0;
    });
  },

  async 'audit archives'(ctx) {
    onlyOptions(ctx, 'audit archives', []);
    positional(ctx, 'audit archives', []);
    return withCore(ctx, async (core) => {
      const rows = await auditArchiverOf(core).archiver.list();
      const human = tableOr(
        ['MONTH', 'STATUS', 'EVENTS', 'BLOCKS', 'ARCHIVED', 'LOCATION'],
        rows.map((r) => [
          r.month,
          r.status,
          String(r.event_count),
          `${r.first_block ?? '-'}..${r.last_block ?? '-'}`,
          iso(r.archived_at),
          r.location,
        ]),
        'no archived months',
      );
      const machine = rows.map((r) => ({ ...r, last_chain_hash: hex(r.last_chain_hash) }));
      print(ctx, human, { archives: machine });
      return 0;
    });
  },

  async 'audit restore'(ctx) {
    onlyOptions(ctx, 'audit restore', ['month']);
    const month = required(ctx, 'audit restore', 'month', 'YYYY-MM');
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError('--month must be YYYY-MM');
    return withCore(ctx, async (core) => {
      const { events } = await auditArchiverOf(core).archiver.restore(month, operatorActor);
      print(ctx, `restored ${events} events of ${month}; \`vigil audit verify\` checks them`, {
        month,
        events,
      });
      return 0;
    });
  },

  async 'audit purge'(ctx) {
    onlyOptions(ctx, 'audit purge', []);
    positional(ctx, 'audit purge', []);
    return withCore(ctx, async (core) => {
      const result = await auditArchiverOf(core).archiver.purge(operatorActor);
      if (!result) {
        print(ctx, 'another node is archiving; nothing done', { ran: false });
        return 0;
      }
      const lines = [`purged: ${result.purged.join(', ') || 'none'}`];
      if (result.held)
        lines.push(
          `purge of ${result.held.month} held (legal hold: ${result.held.orgIds.join(', ')})`,
        );
      print(ctx, lines.join('\n'), { ran: true, ...result });
      return 0;
    });
  },

  /** An organization's retention: show it, or change its days or legal hold. */
  async 'audit retention'(ctx) {
    onlyOptions(ctx, 'audit retention', ['org', 'days', 'hold', 'release']);
    const orgOption = required(ctx, 'audit retention', 'org', 'SLUG');
    const retentionDays = days(ctx, 'days');
    const hold = text(ctx, 'hold');
    const release = ctx.options.release === true;
    if (hold !== undefined && release)
      throw new UsageError('--hold and --release exclude each other');
    return withCore(ctx, async (core) => {
      const { archiver } = auditArchiverOf(core);
      const organizations = await createServices(core).tenancy.organizations();
      const org = findOrg(organizations, orgOption).id;
      const changes = {
        ...(retentionDays !== undefined ? { retentionDays } : {}),
        ...(hold !== undefined ? { legalHold: true, legalHoldReason: hold } : {}),
        ...(release ? { legalHold: false, legalHoldReason: null } : {}),
      };
      const result =
        Object.keys(changes).length === 0
          ? await archiver.retentionOf(org)
          : await archiver.changeRetention(org, changes, operatorActor);
      const p = result.policy;
      print(
        ctx,
        `retention of ${org} (version ${result.version}): ${p.retentionDays} days; legal hold: ${p.legalHold ? `on (${p.legalHoldReason})` : 'off'}`,
        { orgId: org, ...result },
      );
      return 0;
    });
  },
};
