import { useCallback } from 'react';
import { type CursorPages, useCursorPages } from '../../components/useCursorPages.ts';
import { type UserFilter, type UserRecord, usersApi } from './api.ts';

export type UserList = CursorPages<UserRecord>;

/** The users of an organization that match `filter`, a page at a time. */
export function useUserList(orgId: string, filter: UserFilter): UserList {
  const readPage = useCallback(
    (after: string | undefined) => usersApi.page(orgId, filter, after),
    [orgId, filter],
  );
  return useCursorPages(readPage);
}
