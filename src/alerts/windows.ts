import type { SlidingWindows } from './rule.ts';

interface Entry {
  at: number;
  id: string;
}

/**
 * The engine's sliding windows, in memory. Entries older than the window a rule asks for are
 * dropped as it adds; `prune` drops whole keys nothing was added to for `keepMs`, so that a
 * node's memory follows the recent traffic, not every address it ever saw.
 */
export function createSlidingWindows(): SlidingWindows & {
  prune(now: Date, keepMs: number): void;
  readonly size: number;
} {
  const windows = new Map<string, Entry[]>();
  return {
    add(key, at, windowMs, eventId, limit = Number.POSITIVE_INFINITY) {
      const time = at.getTime();
      const entries = windows.get(key) ?? [];
      // Chain order is almost, not quite, time order: the window ends at the newest event seen,
      // and stays sorted by time.
      const since = Math.max(time, entries.at(-1)?.at ?? time) - windowMs;
      let first = 0;
      while (first < entries.length && (entries[first]?.at ?? 0) <= since) first++;
      const kept = first > 0 ? entries.slice(first) : entries;
      const full = kept.length >= limit;
      if (time > since) {
        // Insert in time order, from the end: almost always it simply goes last.
        let at = kept.length;
        while (at > 0 && (kept[at - 1]?.at ?? 0) > time) at--;
        kept.splice(at, 0, { at: time, id: eventId });
        if (kept.length > limit) kept.splice(0, kept.length - limit);
      }
      windows.set(key, kept);
      return { ids: kept.map((e) => e.id), full };
    },
    prune(now, keepMs) {
      const since = now.getTime() - keepMs;
      for (const [key, entries] of windows) {
        if ((entries.at(-1)?.at ?? 0) <= since) windows.delete(key);
      }
    },
    get size() {
      return windows.size;
    },
  };
}
