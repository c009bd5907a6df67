/**
 * A page cursor of the admin API's lists: the sort key of a page's last row, as base64url JSON.
 * Opaque to clients, so that a list's order may change without changing the API; each list reads
 * its own key back from the parts and refuses, with its own error, a cursor it did not hand out.
 */
function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The parts a cursor holds; undefined for anything that is not one `encodeCursor` made. */
export function cursorParts(cursor: string): unknown[] | undefined {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(parts) ? parts : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A page from rows read with one more than `limit` (the extra row says a next page exists): the
 * first `limit` items and the cursor of the last one's sort key (null on the last page).
 */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  sortKey: (last: T) => readonly (string | number)[],
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor(sortKey(last)) : null,
  };
}
