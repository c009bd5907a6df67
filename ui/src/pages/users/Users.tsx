import {
  Anchor,
  Button,
  Group,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { DateTime } from '../../components/DateTime.tsx';
import { Unreachable } from '../../components/Unreachable.tsx';
import type { UserFilter, UserRecord, UserStatus } from './api.ts';
import { CreateUser } from './CreateUser.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { type UserList, useUserList } from './useUserList.ts';

const statuses = [
  { value: '', label: 'Any status' },
  { value: 'active', label: 'Active' },
  { value: 'suspended', label: 'Suspended' },
  { value: 'deprovisioned', label: 'Deprovisioned' },
];

/** An organization's users: search, a status filter, a page at a time, and creating one. */
export function Users({ access }: { access: Access }) {
  const orgId = useParams().orgId ?? access.orgId;
  const [words, setWords] = useState('');
  const [status, setStatus] = useState('');
  // A search starts once typing pauses, not at every key.
  const [q] = useDebouncedValue(words.trim(), 300);
  const filter = useMemo<UserFilter>(
    () => ({ q: q || undefined, status: (status || undefined) as UserStatus | undefined }),
    [q, status],
  );
  const list = useUserList(orgId, filter);
  const filtered = filter.q !== undefined || filter.status !== undefined;

  return (
    <Stack>
      <Title order={2}>Users</Title>
      {list.problem?.status === 403 ? (
        <Unreachable problem={list.problem} what="the users of this organization" />
      ) : (
        <>
          <Group align="flex-end">
            <TextInput
              label="Search"
              description="Part of an email address or name"
              type="search"
              value={words}
              onChange={(e) => setWords(e.currentTarget.value)}
              w={320}
            />
            <Select
              label="Status"
              data={statuses}
              value={status}
              onChange={(value) => setStatus(value ?? '')}
              allowDeselect={false}
              w={180}
            />
            {access.permissions.has('users.write') && (
              <CreateUser orgId={orgId} access={access} onCreated={list.reload} />
            )}
          </Group>
          {list.problem && <Unreachable problem={list.problem} what="the users" />}
          <UserTable orgId={orgId} list={list} filtered={filtered} />
        </>
      )}
    </Stack>
  );
}

function UserTable({
  orgId,
  list,
  filtered,
}: {
  orgId: string;
  list: UserList;
  filtered: boolean;
}) {
  const { items } = list;
  if (!items) return list.loading ? <Loader aria-label="Loading the users" /> : null;
  if (items.length === 0)
    return (
      <Text c="dimmed">
        {filtered
          ? 'No user matches: try fewer or other words, or another status.'
          : 'No users yet: create the first one with “Create a user”.'}
      </Text>
    );
  return (
    <Stack>
      <Table striped highlightOnHover aria-label="Users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((user) => (
            <UserRow key={user.id} orgId={orgId} user={user} />
          ))}
        </Table.Tbody>
      </Table>
      {list.hasMore && (
        <Group>
          <Button variant="default" loading={list.loading} onClick={list.more}>
            Show more
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function UserRow({ orgId, user }: { orgId: string; user: UserRecord }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor
          component={Link}
          to={`/orgs/${encodeURIComponent(orgId)}/users/${encodeURIComponent(user.id)}`}
        >
          {user.displayName || user.email}
        </Anchor>
      </Table.Td>
      <Table.Td>{user.email}</Table.Td>
      <Table.Td>
        <StatusBadge status={user.status} />
      </Table.Td>
      <Table.Td>
        <DateTime value={user.createdAt} />
      </Table.Td>
    </Table.Tr>
  );
}
