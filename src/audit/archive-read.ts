import type { KeyObject } from '../crypto/index.ts';
import { checkMonth, type MonthCheck } from './archive-check.ts';
import { archiveNames } from './archive-format.ts';
import type { Month } from './archive-months.ts';
import type { ArchiveStore } from './archive-store.ts';

/** A month's archive read from the store and checked offline (signature, hashes, blocks). */
export async function readArchive(
  store: ArchiveStore,
  month: Month,
  expected?: KeyObject,
): Promise<MonthCheck & { manifestBytes: Buffer | null; eventsBytes: Buffer | null }> {
  const names = archiveNames(month);
  const [manifestBytes, eventsBytes] = await Promise.all([
    store.get(names.manifest),
    store.get(names.events),
  ]);
  return { ...checkMonth(month, manifestBytes, eventsBytes, expected), manifestBytes, eventsBytes };
}

/** The months a store holds archives of, oldest first. */
export async function archivedMonths(store: ArchiveStore): Promise<Month[]> {
  const months = new Set<Month>();
  for (const name of await store.list()) {
    const match = /^audit-(\d{4}-\d{2})\.(?:jsonl\.gz|manifest\.json)$/.exec(name);
    if (match?.[1]) months.add(match[1]);
  }
  return [...months].sort();
}
