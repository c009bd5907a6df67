import { useEffect, useRef, useState } from 'react';
import { request } from '../api.ts';

/** What a table needs of a user it lists by id. */
interface UserName {
  id: string;
  email: string;
}

/** One user of `orgId`; refused or gone, none. */
const readUser = (orgId: string, userId: string): Promise<UserName | undefined> =>
  request<UserName>(`/orgs/${encodeURIComponent(orgId)}/users/${encodeURIComponent(userId)}`).then(
    (answer) => answer.body,
    () => undefined,
  );

/**
 * The email of each of `userIds` that could be read, for tables that list users by id. Only
 * those on screen are asked for, each user once while the page is open; without `users.read`
 * (`canRead`), none: the table shows ids. A user who is gone (or in another organization, like
 * a platform administrator) is shown by id too.
 */
export function useUserNames(
  orgId: string,
  userIds: readonly string[],
  canRead: boolean,
): ReadonlyMap<string, string> {
  const known = useRef(new Map<string, Promise<UserName | undefined>>());
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const wanted = [...new Set(userIds)].sort().join(',');
  useEffect(() => {
    if (!canRead || !wanted) return;
    let live = true;
    const lookup = (userId: string) => {
      const key = `${orgId}/${userId}`;
      let user = known.current.get(key);
      if (!user) {
        user = readUser(orgId, userId);
        known.current.set(key, user);
      }
      return user;
    };
    Promise.all(wanted.split(',').map(lookup)).then((users) => {
      if (!live) return;
      setNames(new Map(users.flatMap((user) => (user ? [[user.id, user.email] as const] : []))));
    });
    return () => {
      live = false;
    };
  }, [orgId, wanted, canRead]);
  return names;
}
