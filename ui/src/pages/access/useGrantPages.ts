import { useCallback, useEffect, useRef, useState } from 'react';
import type { Problem } from '../../api.ts';
import { problemOf } from '../../components/Unreachable.tsx';
import { accessApi, type Grant } from './api.ts';

export interface GrantPages {
  grants: Grant[] | undefined;
  /** There are more: `more` reads the next page. */
  hasMore: boolean;
  loading: boolean;
  /** Why the assignments could not be read (the API's problem). */
  problem: Problem | undefined;
  more: () => void;
  /** Reads the first page again (after a change). */
  reload: () => Promise<void>;
}

/**
 * The organization's assignments, of one role when `roleKey` is given, a page at a time (the
 * server filters and pages): another role starts again from the first page, and an answer to an
 * older one is dropped.
 */
export function useGrantPages(orgId: string, roleKey: string | null): GrantPages {
  const [grants, setGrants] = useState<Grant[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const generation = useRef(0);

  const read = useCallback(
    async (after: string | undefined) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await accessApi.assignments(orgId, roleKey, after);
        if (mine !== generation.current) return;
        setGrants((earlier) => (after ? [...(earlier ?? []), ...page.items] : page.items));
        setCursor(page.nextCursor);
        setProblem(undefined);
      } catch (err) {
        if (mine === generation.current) setProblem(problemOf(err));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [orgId, roleKey],
  );

  useEffect(() => {
    setGrants(undefined);
    void read(undefined);
  }, [read]);

  return {
    grants,
    hasMore: cursor !== null,
    loading,
    problem,
    more: () => void (cursor && read(cursor)),
    reload: () => read(undefined),
  };
}
