import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api.ts';
import { type Refusal, refusalOf } from '../../components/Refusal.tsx';
import { type AuditEvent, type AuditFilter, auditApi } from './api.ts';

/** Why a page could not be read: the API's refusal, or what went wrong on the way. */
const whyNot = (err: unknown): Refusal =>
  err instanceof ApiError
    ? refusalOf(err)
    : { detail: err instanceof Error ? err.message : String(err), fields: {} };

/** The events of a filter read so far, page after page, and how to read the next page. */
export interface EventPages {
  events: AuditEvent[] | undefined;
  /** Another page is being read. */
  loading: boolean;
  hasMore: boolean;
  /** The API refused the filter (field errors name the filter's fields). */
  refusal: Refusal | undefined;
  loadMore: () => void;
}

/**
 * Reads the log newest first under `filter`: the first page when the filter changes, the next on
 * `loadMore`. An answer to an older filter, arriving late, is dropped.
 */
export function useEventPages(orgId: string, filter: AuditFilter): EventPages {
  const [events, setEvents] = useState<AuditEvent[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [refusal, setRefusal] = useState<Refusal>();
  const generation = useRef(0);

  const read = useCallback(
    async (after: string | undefined, current: number) => {
      setLoading(true);
      try {
        const page = await auditApi.events(orgId, filter, after);
        if (current !== generation.current) return;
        setEvents((before) => [...(after ? (before ?? []) : []), ...page.items]);
        setCursor(page.nextCursor);
        setRefusal(undefined);
      } catch (err) {
        if (current !== generation.current) return;
        setRefusal(whyNot(err));
        setEvents((before) => (after ? before : []));
        setCursor(null);
      } finally {
        if (current === generation.current) setLoading(false);
      }
    },
    [orgId, filter],
  );

  useEffect(() => {
    const current = ++generation.current;
    setEvents(undefined);
    setCursor(null);
    void read(undefined, current);
  }, [read]);

  const loadMore = useCallback(() => {
    if (cursor && !loading) void read(cursor, generation.current);
  }, [cursor, loading, read]);

  return { events, loading, hasMore: cursor !== null, refusal, loadMore };
}
