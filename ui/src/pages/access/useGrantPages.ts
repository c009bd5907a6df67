import { useCallback } from 'react';
import { type CursorPages, useCursorPages } from '../../components/useCursorPages.ts';
import { accessApi, type Grant } from './api.ts';

export type GrantPages = CursorPages<Grant>;

/**
 * The organization's assignments, of one role when `roleKey` is given, a page at a time (the
 * server filters and pages).
 */
export function useGrantPages(orgId: string, roleKey: string | null): GrantPages {
  const readPage = useCallback(
    (after: string | undefined) => accessApi.assignments(orgId, roleKey, after),
    [orgId, roleKey],
  );
  return useCursorPages(readPage);
}
