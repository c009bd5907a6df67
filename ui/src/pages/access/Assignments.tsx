import { Anchor, Badge, Button, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { Access } from '../../access.ts';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useUserNames } from '../../components/useUserNames.ts';
import { AssignRole } from './AssignRole.tsx';
import { accessApi, type Grant, type RoleDetail } from './api.ts';
import { ReasonDialog } from './ReasonDialog.tsx';
import { SourceBadge } from './SourceBadge.tsx';
import { type GrantPages, useGrantPages } from './useGrantPages.ts';

/**
 * Who holds which role, why and until when; giving roles and taking them away. The server filters
 * by role and pages (fifty at a time, "Show more" for the next), so an organization of 100,000
 * users is never read whole.
 */
export function Assignments({ access }: { access: Access }) {
  const orgId = useParams().orgId ?? access.orgId;
  const [params, setParams] = useSearchParams();
  const roleFilter = params.get('role');
  const loadRoles = useCallback(() => accessApi.roles(orgId), [orgId]);
  const roles = useLoaded(loadRoles);
  const pages = useGrantPages(orgId, roleFilter);
  const mayAssign = access.permissions.has('roles.assign');

  return (
    <Stack>
      <Title order={2}>Assignments</Title>
      <Text c="dimmed">
        Who holds which role, who granted it, why and until when. A role that needs approval is
        given through an access request, which another administrator decides.
      </Text>
      {mayAssign && roles.data && (
        <AssignRole orgId={orgId} roles={roles.data} onAssigned={pages.reload} />
      )}
      <Select
        label="Filter by role"
        placeholder="Every role"
        clearable
        w={320}
        data={(roles.data ?? []).map((r) => ({ value: r.key, label: r.name }))}
        value={roleFilter}
        onChange={(key) => setParams(key ? { role: key } : {})}
      />
      <LoadState
        error={roles.error ?? pages.problem}
        loading={!roles.data || !pages.items}
        what="the assignments"
      />
      {roles.data && pages.items && (
        <GrantTable
          orgId={orgId}
          access={access}
          grants={pages.items}
          pages={pages}
          roles={roles.data}
          filtered={roleFilter !== null}
        />
      )}
    </Stack>
  );
}

function GrantTable({
  orgId,
  access,
  grants,
  pages,
  roles,
  filtered,
}: {
  orgId: string;
  access: Access;
  /** The pages read so far. */
  grants: Grant[];
  pages: GrantPages;
  roles: RoleDetail[];
  /** Whether the grants are one role's only. */
  filtered: boolean;
}) {
  const [removing, setRemoving] = useState<Grant>();
  const names = useUserNames(
    orgId,
    grants.flatMap((g) => (g.grantedBy ? [g.userId, g.grantedBy] : [g.userId])),
    access.permissions.has('users.read'),
  );
  const roleName = (key: string) => roles.find((r) => r.key === key)?.name ?? key;
  const mayAssign = access.permissions.has('roles.assign');
  if (grants.length === 0)
    return (
      <Text c="dimmed">
        {filtered ? 'Nobody holds this role.' : 'Nobody holds a role yet.'}
        {mayAssign ? ' Assign one above.' : ''}
      </Text>
    );

  return (
    <>
      <Table striped aria-label="Assignments">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>User</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>Granted</Table.Th>
            <Table.Th>Expires</Table.Th>
            {mayAssign && <Table.Th>Action</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {grants.map((g) => (
            <Table.Tr key={`${g.userId}/${g.roleKey}`}>
              <Table.Td>{names.get(g.userId) ?? <code>{g.userId}</code>}</Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/orgs/${orgId}/roles/${g.roleKey}`}>
                  {roleName(g.roleKey)}
                </Anchor>
              </Table.Td>
              <Table.Td>
                {g.reason}
                <SourceBadge source={g.source} />
              </Table.Td>
              <Table.Td>
                <DateTime value={g.grantedAt} />
                <Text size="xs" c="dimmed">
                  by{' '}
                  {g.grantedBy
                    ? (names.get(g.grantedBy) ?? g.grantedBy)
                    : g.source === 'scim'
                      ? 'the directory'
                      : 'the operator'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Expiry at={g.expiresAt} />
              </Table.Td>
              {mayAssign && (
                <Table.Td>
                  <Button
                    size="xs"
                    variant="default"
                    aria-label={`Unassign ${roleName(g.roleKey)} from ${names.get(g.userId) ?? g.userId}`}
                    onClick={() => setRemoving(g)}
                  >
                    Unassign
                  </Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {pages.hasMore && (
        <Group>
          <Button variant="default" loading={pages.loading} onClick={pages.more}>
            Show more
          </Button>
        </Group>
      )}
      <ReasonDialog
        title="Unassign a role"
        opened={removing !== undefined}
        what={
          removing &&
          `${names.get(removing.userId) ?? removing.userId} loses ${roleName(removing.roleKey)} at once.`
        }
        label="Reason"
        confirm="Unassign"
        onConfirm={async (reason) => {
          if (!removing) return;
          await accessApi.unassign(orgId, removing.userId, removing.roleKey, reason);
          await pages.reload();
        }}
        onClose={() => setRemoving(undefined)}
      />
    </>
  );
}

/** When a role ends: never, a date, or already (until the sweep removes it). */
function Expiry({ at }: { at: string | null }) {
  if (!at) return <Text c="dimmed">never</Text>;
  return Date.parse(at) <= Date.now() ? (
    <Badge color="gray" variant="light">
      expired
    </Badge>
  ) : (
    <DateTime value={at} />
  );
}
