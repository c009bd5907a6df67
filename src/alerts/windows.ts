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
      const since = time - windowMs;
      const kept = (windows.get(key) ?? []).filter((e) => e.at > since && e.at <= time);
      kept.push({ at: time, id: eventId });
      // Chain order is almost, not quite, time order: keep the window sorted by time.
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
