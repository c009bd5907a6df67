import { Anchor, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { ApiError, type Problem, type Versioned } from '../../api.ts';
import { DateTime } from '../../components/DateTime.tsx';
import { Unreachable } from '../../components/Unreachable.tsx';
import { type UserRecord, usersApi } from './api.ts';
import { DevicesList, FactorsList, SessionsList } from './CredentialLists.tsx';
import { EndDateCard } from './EndDateCard.tsx';
import { ProfileForm } from './ProfileForm.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { UserActions } from './UserActions.tsx';

/**
 * One user: their profile (edited with the ETag read), what an administrator may do to them,
 * and their second factors, sessions and trusted browsers.
 */
export function UserDetail({ access }: { access: Access }) {
  const params = useParams();
  const orgId = params.orgId ?? access.orgId;
  const userId = params.userId ?? '';
  const [user, setUser] = useState<Versioned<UserRecord>>();
  const [problem, setProblem] = useState<Problem>();
  // Bumped after every action, so that the lists below read again.
  const [changes, setChanges] = useState(0);

  const read = useCallback(
    () =>
      usersApi.get(orgId, userId).then(setUser, (err: unknown) => {
        if (!(err instanceof ApiError)) throw err;
        setProblem(err.problem);
      }),
    [orgId, userId],
  );
  useEffect(() => {
    setUser(undefined);
    setProblem(undefined);
    void read();
  }, [read]);

  const back = (
    <Anchor component={Link} to={`/orgs/${encodeURIComponent(orgId)}/users`}>
      ← All users
    </Anchor>
  );
  if (problem)
    return (
      <Stack>
        {back}
        <Unreachable problem={problem} what="this user" />
      </Stack>
    );
  if (!user) return <Loader aria-label="Loading the user" />;
  const { body } = user;
  const acted = async () => {
    await read();
    setChanges((n) => n + 1);
  };
  return (
    <Stack>
      {back}
      <Group>
        <Title order={2}>{body.displayName || body.email}</Title>
        <StatusBadge status={body.status} />
      </Group>
      <Text size="sm" c="dimmed">
        {body.email} · created <DateTime value={body.createdAt} /> · changed{' '}
        <DateTime value={body.updatedAt} />
        {body.deactivatedAt && (
          <>
            {' '}
            · deactivated <DateTime value={body.deactivatedAt} />
          </>
        )}
      </Text>
      <UserActions access={access} user={body} onDone={acted} />
      {access.permissions.has('users.write') && body.status !== 'deprovisioned' && (
        <ProfileForm user={user} onSaved={setUser} />
      )}
      <EndDateCard
        user={body}
        canChange={access.permissions.has('users.deactivate')}
        onChanged={acted}
      />
      <FactorsList orgId={orgId} userId={userId} changes={changes} />
      <SessionsList orgId={orgId} userId={userId} changes={changes} />
      <DevicesList orgId={orgId} userId={userId} changes={changes} />
    </Stack>
  );
}
