import { Card, Stack, Table, Text, Title } from '@mantine/core';
import { type ReactNode, useCallback } from 'react';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type Session, usersApi } from './api.ts';

/** When a session ends unless used again: the sooner of its idle and absolute ends (ISO strings sort as instants). */
const endsAt = (s: Session) => [s.idleExpiresAt, s.absoluteExpiresAt].sort()[0];

/** Which user, and a count that moves after every action on them (the list reads again). */
interface Of {
  orgId: string;
  userId: string;
  changes: number;
}

function Listing({
  title,
  label,
  children,
}: {
  title: string;
  label: string;
  children: ReactNode;
}) {
  return (
    <Card withBorder component="section" aria-label={label}>
      <Stack gap="xs">
        <Title order={3} size="h5">
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}

function Head({ columns }: { columns: string[] }) {
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map((c) => (
          <Table.Th key={c}>{c}</Table.Th>
        ))}
      </Table.Tr>
    </Table.Thead>
  );
}

export function FactorsList({ orgId, userId, changes }: Of) {
  const factors = useLoaded(
    // biome-ignore lint/correctness/useExhaustiveDependencies: `changes` asks for a new read
    useCallback(() => usersApi.factors(orgId, userId), [orgId, userId, changes]),
  );
  const { data } = factors;
  return (
    <Listing title="Second factors" label="Second factors">
      <LoadState error={factors.error} loading={!data} what="the second factors" />
      {data && data.items.length === 0 && (
        <Text c="dimmed">
          No second factor: the user enrolls one from their account, or at sign-in where a second
          factor is required.
        </Text>
      )}
      {data && data.items.length > 0 && (
        <Table aria-label="Second factors">
          <Head columns={['Kind', 'Label', 'Added', 'Last used']} />
          <Table.Tbody>
            {data.items.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>{f.kind === 'totp' ? 'Authenticator app' : 'Passkey'}</Table.Td>
                <Table.Td>{f.label}</Table.Td>
                <Table.Td>
                  <DateTime value={f.confirmedAt ?? f.createdAt} />
                </Table.Td>
                <Table.Td>
                  <DateTime value={f.lastUsedAt} fallback="never" />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {data && <Text size="sm">Recovery codes left: {data.recoveryCodesLeft}</Text>}
    </Listing>
  );
}

export function SessionsList({ orgId, userId, changes }: Of) {
  const sessions = useLoaded(
    // biome-ignore lint/correctness/useExhaustiveDependencies: `changes` asks for a new read
    useCallback(() => usersApi.sessions(orgId, userId), [orgId, userId, changes]),
  );
  const { data } = sessions;
  return (
    <Listing title="Sessions" label="Sessions">
      <LoadState error={sessions.error} loading={!data} what="the sessions" />
      {data?.length === 0 && <Text c="dimmed">No live session: the user is signed out.</Text>}
      {data && data.length > 0 && (
        <Table aria-label="Sessions">
          <Head columns={['Signed in', 'Last seen', 'Ends', 'Address', 'Browser', 'Factors']} />
          <Table.Tbody>
            {data.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <DateTime value={s.createdAt} />
                </Table.Td>
                <Table.Td>
                  <DateTime value={s.lastSeenAt} />
                </Table.Td>
                <Table.Td>
                  <DateTime value={endsAt(s)} />
                </Table.Td>
                <Table.Td>{s.ip ?? '—'}</Table.Td>
                <Table.Td>{s.userAgent ?? '—'}</Table.Td>
                <Table.Td>{s.amr.join(', ')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Listing>
  );
}

export function DevicesList({ orgId, userId, changes }: Of) {
  const devices = useLoaded(
    // biome-ignore lint/correctness/useExhaustiveDependencies: `changes` asks for a new read
    useCallback(() => usersApi.devices(orgId, userId), [orgId, userId, changes]),
  );
  const { data } = devices;
  return (
    <Listing title="Trusted browsers" label="Trusted browsers">
      <LoadState error={devices.error} loading={!data} what="the trusted browsers" />
      {data?.length === 0 && (
        <Text c="dimmed">
          No trusted browser: one is remembered when the user signs in successfully.
        </Text>
      )}
      {data && data.length > 0 && (
        <Table aria-label="Trusted browsers">
          <Head columns={['Browser', 'First trusted', 'Last used']} />
          <Table.Tbody>
            {data.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>{d.userAgent ?? '—'}</Table.Td>
                <Table.Td>
                  <DateTime value={d.createdAt} />
                </Table.Td>
                <Table.Td>
                  <DateTime value={d.lastUsedAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Listing>
  );
}
