import { Anchor, Button, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { accessApi, type RoleDetail } from './api.ts';
import { CreateRole } from './CreateRole.tsx';
import { RoleFlags } from './RoleFlags.tsx';

/** The organization's roles, built in and custom, with what each is for. */
export function Roles({ access }: { access: Access }) {
  const orgId = useParams().orgId ?? access.orgId;
  const roles = useLoaded(useCallback(() => accessApi.roles(orgId), [orgId]));
  const [creating, setCreating] = useState(false);
  const mayManage = access.permissions.has('roles.manage');

  return (
    <Stack>
      <Title order={2}>Roles</Title>
      <Text c="dimmed">
        What each role allows and why it exists. Built-in roles are the same in every organization;
        custom roles are this organization's own.
      </Text>
      {mayManage && !creating && (
        <div>
          <Button onClick={() => setCreating(true)}>Create a custom role</Button>
        </div>
      )}
      {mayManage && creating && roles.data && (
        <CreateRole
          orgId={orgId}
          roles={roles.data}
          onDone={async (created) => {
            setCreating(false);
            if (created) await roles.reload();
          }}
        />
      )}
      <LoadState error={roles.error} loading={!roles.data} what="the roles" />
      {roles.data && <RoleTable orgId={orgId} roles={roles.data} />}
    </Stack>
  );
}

function RoleTable({ orgId, roles }: { orgId: string; roles: RoleDetail[] }) {
  return (
    <Table striped highlightOnHover aria-label="Roles">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Role</Table.Th>
          <Table.Th>Purpose</Table.Th>
          <Table.Th>Permissions</Table.Th>
          <Table.Th>Controls</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {roles.map((role) => (
          <Table.Tr key={role.key}>
            <Table.Td>
              <Anchor component={Link} to={`/orgs/${orgId}/roles/${role.key}`}>
                {role.name}
              </Anchor>
              <Text size="xs" c="dimmed">
                <code>{role.key}</code> · {role.description}
              </Text>
            </Table.Td>
            <Table.Td>{role.purpose}</Table.Td>
            <Table.Td>{role.permissions.length}</Table.Td>
            <Table.Td>
              <RoleFlags role={role} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
