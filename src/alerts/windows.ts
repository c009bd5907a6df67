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
    add(key, at, windowMs, eventId) {
      const time = at.getTime();
      const entries = windows.get(key) ?? [];
      // Chain order is almost, not quite, time order: the window ends at the newest event seen,
      // and stays sorted by time.
      const since = Math.max(time, entries.at(-1)?.at ?? time) - windowMs;
      const kept = entries.filter((e) => e.at > since);
      if (time > since) kept.push({ at: time, id: eventId });
      kept.sort((a, b) => a.at - b.at);
      windows.set(key, kept);
      return kept.map((e) => e.id);
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
