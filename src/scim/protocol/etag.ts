/**
 * Resource versions (RFC 7644 §3.14): a weak ETag of the last change's time in milliseconds, in
 * `meta.version` and the ETag header. Every change moves it.
 */
export const versionOf = (lastModified: Date): string => `W/"${lastModified.getTime()}"`;

/**
 * Whether an If-Match header lets a change through: absent or `*` always; otherwise one of its
 * entity tags must be the current version (weak comparison, so `"123"` matches `W/"123"`).
 */
export function ifMatchAllows(header: string | undefined, current: string): boolean {
  if (header === undefined) return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const tags = header.split(',').map((t) => t.trim());
  return tags.includes('*') || tags.some((tag) => opaque(tag) === opaque(current));
}
