import type { AuditActor, AuditWriter, Clock, Database } from '../platform/index.ts';
import { withPlatform } from '../platform/index.ts';
import type { Keyring } from './keyring.ts';
import * as store from './rotation.store.ts';

export type { EncryptedColumn } from './rotation.store.ts';

export interface ReencryptDeps {
  database: Database;
  keyring: Keyring;
  audit: AuditWriter;
  clock: Clock;
  platformOrgId: string;
  /** Every encrypted column of every module (wired in app/). */
  columns: store.EncryptedColumn[];
  batchSize?: number;
}

/**
 * Re-encrypts every ciphertext not yet under the active data key, batch by batch, each batch its
 * own transaction. Progress is the data itself (a row is done once its ciphertext names the new
 * key), so after a crash the next run simply continues; the rotation row is closed when nothing
 * is left, and that is audited.
 */
export async function resumeReencryption(deps: ReencryptDeps, actor: AuditActor): Promise<number> {
  const { database, keyring } = deps;
  const pending = await withPlatform(database, (tx) => store.unfinishedRotations(tx));
  if (pending.length === 0) return 0;
  await keyring.refresh();
  const target = keyring.activeKeyId();
  const batchSize = deps.batchSize ?? 200;
  let total = 0;
  for (const col of deps.columns) {
    for (;;) {
      const done = await withPlatform(database, async (tx) => {
        const rows = await store.staleCiphertexts(tx, col, target, batchSize);
        for (const row of rows) {
          const where = { table: col.table, column: col.column, rowId: row.id };
          const plaintext = await keyring.decrypt(row.value, where);
          await store.replaceCiphertext(tx, col, row.id, keyring.encrypt(plaintext, where));
        }
        const last = pending[pending.length - 1];
        if (rows.length > 0 && last) await store.addProgress(tx, last.id, rows.length);
        return rows.length;
      });
      total += done;
      if (done < batchSize) break;
    }
  }
  await withPlatform(database, async (tx) => {
    const now = deps.clock.now();
    for (const rotation of await store.unfinishedRotations(tx)) {
      await store.finishRotation(tx, rotation.id, now, 0);
      await deps.audit(tx, {
        orgId: deps.platformOrgId,
        action: 'keyring.reencryption.completed',
        actor,
        target: { type: 'data_key', id: String(rotation.to_key_id) },
        details: { rotationId: rotation.id, reencryptedThisRun: total },
      });
    }
  });
  return total;
}

export async function ciphertextCounts(
  database: Database,
  columns: store.EncryptedColumn[],
): Promise<{ table: string; column: string; keyId: number; count: number }[]> {
  return withPlatform(database, async (tx) => {
    const out: { table: string; column: string; keyId: number; count: number }[] = [];
    for (const col of columns) {
      for (const c of await store.countByKey(tx, col)) {
        out.push({ table: col.table, column: col.column, ...c });
      }
    }
    return out;
  });
}
