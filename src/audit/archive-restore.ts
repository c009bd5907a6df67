/**
 * Restore and purge (docs/audit.md#retention-and-archives). A restored month's rows come back
 * exactly as they were (same tx, seq and MAC), so live verification checks them again.
 */
import { publicKeyFingerprint } from '../crypto/index.ts';
import { type AuditActor, platformOrgId, type Tx, withPlatform } from '../platform/index.ts';
import * as archives from './archive.store.ts';
import type { ArchiverDeps } from './archive.ts';
import { archiveErrors } from './archive-errors.ts';
import { archiveNames, chainEventOf } from './archive-format.ts';
import { type Month, olderThan } from './archive-months.ts';
import { readArchive } from './archive-read.ts';
import type { RetentionPolicyService } from './retention.ts';
import { queryEvents } from './store.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** Rows per INSERT when restoring. */
const restoreBatch = 2000;

/** Verifies a dropped month's archive and brings its events back (`audit.restored`). */
export async function restoreMonth(
  deps: ArchiverDeps,
  month: Month,
  actor: AuditActor,
): Promise<{ events: number }> {
  const row = await withPlatform(deps.database, (tx) => archives.archiveOf(tx, month));
  if (!row || row.status === 'purged') throw archiveErrors.notArchived({ month });
  if (row.status !== 'dropped') throw archiveErrors.notDropped({ month, status: row.status });
  const read = await readArchive(deps.store, month);
  const manifest = read.manifest;
  // The manifest names its signer: that key of this platform's keyring must be the one.
  const signer = manifest && (await deps.keys.byId(manifest.signer).catch(() => null));
  const signedBy = manifest?.keys.find((k) => k.id === manifest.signer)?.fingerprint;
  const problem =
    read.findings[0]?.message ??
    (manifest?.file.sha256 !== row.sha256 ? 'it is not the archive that was recorded' : null) ??
    (!signer?.publicKey || publicKeyFingerprint(signer.publicKey) !== signedBy
      ? 'it is not signed by a seal key of this platform'
      : null);
  if (problem) throw archiveErrors.archiveInvalid({ month, problem });
  const events = read.events.map(chainEventOf);
  await withPlatform(deps.database, async (tx) => {
    await archives.createMonth(tx, month);
    for (let i = 0; i < events.length; i += restoreBatch)
      await archives.insertRestored(tx, events.slice(i, i + restoreBatch));
    await archives.markArchive(tx, month, 'restored', deps.clock.now());
    await deps.audit(tx, {
      orgId: platformOrgId,
      action: 'audit.restored',
      actor,
      target: { type: 'audit_month', id: month },
      details: { month, events: events.length },
    });
  });
  return { events: events.length };
}

export interface PurgeDeps extends ArchiverDeps {
  /** VIGIL_AUDIT_RETENTION_DAYS. */
  retentionDays: number;
  retention: RetentionPolicyService;
}

export interface PurgeResult {
  purged: Month[];
  /** The month a legal hold kept, and the organizations holding it. */
  held: { month: Month; orgIds: string[] } | null;
}

/**
 * Whether the last `audit.purge.held` names this month and these organizations: a hold is
 * recorded when it first stops a purge (or changes), not again at every archive round.
 */
async function sameHoldRecorded(tx: Tx, month: Month, heldBy: string[]): Promise<boolean> {
  const [last] = await queryEvents(tx, {
    orgId: platformOrgId,
    action: 'audit.purge.held',
    order: 'desc',
    limit: 1,
  });
  if (!last) return false;
  const details = JSON.parse(last.details) as { month?: unknown; heldBy?: unknown };
  return details.month === month && JSON.stringify(details.heldBy) === JSON.stringify(heldBy);
}

/**
 * Deletes archives past retention, oldest first, and stops at the first month that must stay:
 * a later month's chain starts where the purged one ended, so its last chain hash stays in
 * audit_archives as the anchor the remaining archives verify from.
 */
export async function purgeArchives(deps: PurgeDeps, actor: AuditActor): Promise<PurgeResult> {
  const now = deps.clock.now();
  const rows = await withPlatform(deps.database, (tx) => archives.archives(tx));
  const purged: Month[] = [];
  for (const row of rows) {
    if (row.status === 'purged') continue;
    // Never past a month still in the database (archived, restored) or in the hot period.
    if (row.status !== 'dropped') break;
    if (!olderThan(row.month, Math.max(deps.retentionDays, deps.hotDays), now)) break;
    const decision = await withPlatform(deps.database, async (tx) => {
      const held: string[] = [];
      let keep = false;
      for (const orgId of row.org_ids) {
        const { policy } = await deps.retention.policy(tx, orgId);
        if (policy.legalHold) held.push(orgId);
        if (!olderThan(row.month, policy.retentionDays, now)) keep = true;
      }
      if (held.length > 0 && !(await sameHoldRecorded(tx, row.month, held)))
        await deps.audit(tx, {
          orgId: platformOrgId,
          action: 'audit.purge.held',
          actor,
          target: { type: 'audit_month', id: row.month },
          details: { month: row.month, heldBy: held },
        });
      return { held, keep };
    });
    if (decision.held.length > 0)
      return { purged, held: { month: row.month, orgIds: decision.held } };
    if (decision.keep) break;
    const names = archiveNames(row.month);
    await deps.store.delete(names.events);
    await deps.store.delete(names.manifest);
    await withPlatform(deps.database, async (tx) => {
      await archives.markArchive(tx, row.month, 'purged', now);
      await deps.audit(tx, {
        orgId: platformOrgId,
        action: 'audit.archive.purged',
        actor,
        target: { type: 'audit_month', id: row.month },
        details: {
          month: row.month,
          events: row.event_count,
          anchor: row.last_chain_hash ? hex(row.last_chain_hash) : null,
          lastBlock: row.last_block,
        },
      });
    });
    purged.push(row.month);
  }
  return { purged, held: null };
}
