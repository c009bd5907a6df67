/**
 * A page cursor of the admin API's lists: the sort key of a page's last row, as base64url JSON.
 * Opaque to clients, so that a list's order may change without changing the API; each list reads
 * its own key back from the parts and refuses, with its own error, a cursor it did not hand out.
 */
export function encodeCursor(parts: readonly (string | number)[]): string {
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
