import { useCallback, useEffect, useRef, useState } from 'react';
import type { Problem } from '../../api.ts';
import { problemOf } from '../../components/Unreachable.tsx';
import { type UserFilter, type UserRecord, usersApi } from './api.ts';

export interface UserList {
  items: UserRecord[] | undefined;
  /** There are more: `more` reads the next page. */
  hasMore: boolean;
  loading: boolean;
  /** Why the list could not be read (the API's problem). */
  problem: Problem | undefined;
  more: () => void;
  reload: () => void;
}

/**
 * The users of an organization that match `filter`, a page at a time (cursor paging): a new
 * filter starts again from the first page, and an answer to an older filter is dropped.
 */
export function useUserList(orgId: string, filter: UserFilter): UserList {
  const [items, setItems] = useState<UserRecord[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const generation = useRef(0);

  const read = useCallback(
    async (after: string | undefined) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await usersApi.page(orgId, filter, after);
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
    [orgId, filter],
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
    reload: () => void read(undefined),
  };
}
