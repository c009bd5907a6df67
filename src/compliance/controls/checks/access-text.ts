/** Small wording helpers shared by the access checks' exception lines. */

export const dayMs = 86_400_000;

/** A date as an auditor reads it: `2026-10-15`. */
export const day = (date: Date) => date.toISOString().slice(0, 10);

/** A duration in hours, to a tenth when not whole: `31 h`, `24.5 h`. */
export const hours = (ms: number) => `${Math.round(ms / 360_000) / 10} h`;

/** `1 role`, `3 roles`; `plural` where adding an s is wrong. */
export const counted = (count: number, noun: string, plural = `${noun}s`) =>
  `${count} ${count === 1 ? noun : plural}`;

/** `a`, `a and b`, `a, b and c`. */
export function spoken(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Sorts by a text key, the same on every run and every database (no locale). */
export const byText =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
