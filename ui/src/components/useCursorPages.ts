import { useCallback, useEffect, useRef, useState } from 'react';
import type { Problem } from '../api.ts';
import { problemOf } from './Unreachable.tsx';

/** One page of a list the admin API pages by cursor. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CursorPages<T> {
  items: T[] | undefined;
  /** There are more: `more` reads the next page. */
  hasMore: boolean;
  loading: boolean;
  /** Why the list could not be read (the API's problem). */
  problem: Problem | undefined;
  more: () => void;
  /** Reads the first page again (after a change). */
  reload: () => Promise<void>;
}

/**
 * A list read a page at a time by cursor. `readPage` names the query (keep it stable with
 * useCallback): a new one starts again from the first page, and an answer to an older one is
 * dropped.
 */
export function useCursorPages<T>(
  readPage: (after: string | undefined) => Promise<CursorPage<T>>,
): CursorPages<T> {
  const [items, setItems] = useState<T[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const generation = useRef(0);

  const read = useCallback(
    async (after: string | undefined) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await readPage(after);
        if (mine !== generation.current) return;
        setItems((earlier) => (after ? [...(earlier ?? []), ...page.items] : page.items));
        setCursor(page.nextCursor);
        setProblem(undefined);
      } catch (err) {
        if (mine === generation.current) setProblem(problemOf(err));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [readPage],
  );

  useEffect(() => {
    setItems(undefined);
    void read(undefined);
  }, [read]);

  return {
    items,
    hasMore: cursor !== null,
    loading,
    problem,
    more: () => void (cursor && read(cursor)),
    reload: () => read(undefined),
  };
}
