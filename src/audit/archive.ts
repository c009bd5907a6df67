/**
 * Archiving (docs/audit.md#retention-and-archives): each month entirely past the hot period is
 * written to the archive store, read back and verified, and only then is its partition dropped.
 * One node at a time (jobLockKeys.auditArchive).
 */
import { type LoadedPlatformKey, type PlatformKeys, sha256 } from '../crypto/index.ts';
import {
  type AuditActor,
  type AuditWriter,
  type Clock,
  type Database,
  platformOrgId,
  withPlatform,
} from '../platform/index.ts';
import * as archives from './archive.store.ts';
import { archiveErrors } from './archive-errors.ts';
import {
  archivedBlock,
  archivedEvent,
  archiveNames,
  buildArchive,
  eventLine,
} from './archive-format.ts';
import { addMonths, type Month, monthEnd, monthOf, monthStart } from './archive-months.ts';
import { readArchive } from './archive-read.ts';
import type { ArchiveStore } from './archive-store.ts';
import { type SealerDeps, sealAll } from './sealer.ts';

export interface ArchiverDeps {
  database: Database;
  keys: PlatformKeys;
  clock: Clock;
  audit: AuditWriter;
  store: ArchiveStore;
  sealer: SealerDeps;
  /** VIGIL_AUDIT_HOT_DAYS: months entirely older than this are archived. */
  hotDays: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const dayMs = 86_400_000;

/** Partitions from the current month through three months ahead. */
export function ensurePartitions(deps: Pick<ArchiverDeps, 'database' | 'clock'>): Promise<number> {
  return withPlatform(deps.database, (tx) =>
    archives.ensurePartitions(tx, monthOf(deps.clock.now()), 4),
  );
}

/** The months with events that lie entirely before the hot period, oldest first. */
export function monthsToArchive(deps: ArchiverDeps): Promise<Month[]> {
  const cutoff = new Date(deps.clock.now().getTime() - deps.hotDays * dayMs);
  return withPlatform(deps.database, async (tx) =>
    (await archives.monthsWithEvents(tx, monthStart(monthOf(cutoff)))).map((m) => m.month),
  );
}

/** The MACs of the blocks' events of other months: in the log, or in last month's archive. */
async function otherMacs(
  deps: ArchiverDeps,
  month: Month,
  listed: { block: string; ids: string[] }[],
  inMonth: Set<string>,
): Promise<Map<string, string>> {
  const wanted = listed.flatMap((b) =>
    b.ids.filter((id) => !inMonth.has(id)).map((id) => ({ id, block: b.block })),
  );
  const found = await withPlatform(deps.database, (tx) =>
    archives.macsOf(
      tx,
      wanted.map((w) => w.id),
    ),
  );
  const macs = new Map<string, string>();
  let previous: Map<string, string> | null = null;
  for (const w of wanted) {
    const mac = found.get(w.id);
    if (mac) {
      macs.set(w.id, hex(mac));
      continue;
    }
    if (!previous) {
      const read = await readArchive(deps.store, addMonths(month, -1));
      previous = new Map(read.events.map((e) => [e.id, e.mac]));
    }
    const archived = previous.get(w.id);
    if (!archived) throw archiveErrors.macMissing({ block: w.block, eventId: w.id });
    macs.set(w.id, archived);
  }
  return macs;
}

async function blockKeys(deps: ArchiverDeps, ids: string[]): Promise<LoadedPlatformKey[]> {
  return Promise.all([...new Set(ids)].map((id) => deps.keys.byId(id)));
}

/** Writes a month's archive, reads it back, checks it, and records it (`audit.archived`). */
async function writeArchive(deps: ArchiverDeps, month: Month, actor: AuditActor): Promise<void> {
  const { events, blocks } = await withPlatform(
    deps.database,
    async (tx) => {
      const events = await archives.monthEvents(tx, monthStart(month), monthEnd(month));
      const first = events[0];
      const last = events[events.length - 1];
      const blocks = first && last ? await archives.blocksCovering(tx, first, last) : [];
      return { events, blocks };
    },
    'repeatable read',
  );
  const ids = new Set(events.map((e) => e.id));
  const sealed = new Set(blocks.flatMap((b) => b.event_ids));
  if (events.length === 0 || events.some((e) => !sealed.has(e.id)))
    throw archiveErrors.notSealed({ month });
  const macs = await otherMacs(
    deps,
    month,
    blocks.map((b) => ({ block: b.block_no, ids: b.event_ids })),
    ids,
  );
  const signer = await deps.keys.active('audit-seal');
  const files = buildArchive({
    month,
    createdAt: deps.clock.now(),
    events: events.map(archivedEvent),
    blocks: blocks.map(archivedBlock),
    otherMacs: macs,
    blockKeys: await blockKeys(
      deps,
      blocks.map((b) => b.key_id),
    ),
    signer,
  });
  const names = archiveNames(month);
  await deps.store.put(names.events, files.eventsBytes);
  await deps.store.put(names.manifest, files.manifestBytes);
  // Read back: what the store holds must be what was written, and verify on its own.
  const back = await readArchive(deps.store, month, signer.publicKey);
  if (
    !back.eventsBytes?.equals(files.eventsBytes) ||
    !back.manifestBytes?.equals(files.manifestBytes) ||
    back.findings.length > 0
  )
    throw archiveErrors.archiveInvalid({
      month,
      problem: back.findings[0]?.message ?? 'the store returned other bytes than were written',
    });
  const manifest = files.manifest.manifest;
  const firstBlock = blocks[0];
  const lastBlock = blocks[blocks.length - 1];
  await withPlatform(deps.database, async (tx) => {
    await archives.insertArchive(tx, {
      month,
      status: 'archived',
      location: `${deps.store.location}/${names.events}`,
      sha256: manifest.file.sha256,
      manifest_sha256: hex(sha256(files.manifestBytes)),
      event_count: events.length,
      org_ids: manifest.orgs.map((o) => o.orgId),
      org_event_counts: manifest.orgs.map((o) => o.events),
      first_block: firstBlock?.block_no ?? null,
      last_block: lastBlock?.block_no ?? null,
      last_chain_hash: lastBlock?.chain_hash ?? null,
      archived_at: deps.clock.now(),
    });
    await deps.audit(tx, {
      orgId: platformOrgId,
      action: 'audit.archived',
      actor,
      target: { type: 'audit_month', id: month },
      details: {
        month,
        events: events.length,
        location: deps.store.location,
        sha256: manifest.file.sha256,
      },
    });
  });
}

/**
 * The month's rows must be exactly the archive's (a restored month going back out, or an
 * archive written by a round that stopped before the drop).
 */
async function rowsMatchArchive(deps: ArchiverDeps, month: Month): Promise<void> {
  const read = await readArchive(deps.store, month);
  const problem = read.findings[0]?.message;
  if (problem) throw archiveErrors.archiveInvalid({ month, problem });
  const rows = await withPlatform(deps.database, (tx) =>
    archives.monthEvents(tx, monthStart(month), monthEnd(month)),
  );
  const lines = rows.map((r) => eventLine(archivedEvent(r)));
  const archived = read.events.map(eventLine);
  const differs = lines.findIndex((line, i) => line !== archived[i]);
  if (differs >= 0 || lines.length !== archived.length)
    throw archiveErrors.archiveInvalid({
      month,
      problem: `the database's events differ from the archive's${differs >= 0 ? ` (event ${rows[differs]?.id})` : ''}`,
    });
}

/** Archives one month (if not yet), then drops its partition. */
export async function archiveMonth(
  deps: ArchiverDeps,
  month: Month,
  actor: AuditActor,
): Promise<void> {
  const existing = await withPlatform(deps.database, (tx) => archives.archiveOf(tx, month));
  if (existing?.status === 'dropped' || existing?.status === 'purged') return;
  // Rows of the month caught by the default partition move into a partition of their own.
  await withPlatform(deps.database, (tx) => archives.createMonth(tx, month));
  if (existing) await rowsMatchArchive(deps, month);
  else await writeArchive(deps, month, actor);
  await withPlatform(deps.database, async (tx) => {
    const dropped = await archives.dropMonth(tx, month);
    await archives.markArchive(tx, month, 'dropped', deps.clock.now());
    await deps.audit(tx, {
      orgId: platformOrgId,
      action: 'audit.partition.dropped',
      actor,
      target: { type: 'audit_month', id: month },
      details: { month, events: dropped, restoredBefore: existing?.status === 'restored' },
    });
  });
}

/** Seals what is finished, then archives and drops every month past the hot period. */
export async function archivePastHot(deps: ArchiverDeps, actor: AuditActor): Promise<Month[]> {
  await ensurePartitions(deps);
  await sealAll(deps.sealer);
  const done: Month[] = [];
  for (const month of await monthsToArchive(deps)) {
    await archiveMonth(deps, month, actor);
    done.push(month);
  }
  return done;
}
