import { Anchor, Button, Code, Group, List, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { ApiError } from '../../api.ts';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { accessApi } from './api.ts';
import { RoleFlags } from './RoleFlags.tsx';
import { permissionChoices, RoleForm } from './RoleForm.tsx';

/** One role: what it is for, what it allows; a custom role can be changed (If-Match). */
export function RolePage({ access }: { access: Access }) {
  const params = useParams();
  const orgId = params.orgId ?? access.orgId;
  const roleKey = params.roleKey ?? '';
  const load = useCallback(
    async () =>
      Promise.all([accessApi.role(orgId, roleKey), accessApi.roles(orgId)]).then(
        ([role, roles]) => ({ role, choices: permissionChoices(roles) }),
      ),
    [orgId, roleKey],
  );
  const loaded = useLoaded(load);
  const [editing, setEditing] = useState(false);
  const [stale, setStale] = useState(false);

  if (!loaded.data)
    return <LoadState error={loaded.error} loading={!loaded.error} what="the role" />;
  const { body: role, etag } = loaded.data.role;
  const mayEdit = !role.builtIn && access.permissions.has('roles.manage');

  return (
    <Stack>
      <Anchor component={Link} to={`/orgs/${orgId}/roles`} size="sm">
        ← Roles
      </Anchor>
      <Group justify="space-between">
        <Title order={2}>{role.name}</Title>
        <RoleFlags role={role} />
      </Group>
      <Text>
        <Code>{role.key}</Code> · {role.description}
      </Text>
      <Text>
        <Text span fw={500}>
          Purpose:{' '}
        </Text>
        {role.purpose}
      </Text>
      <Title order={3} size="h5">
        Permissions
      </Title>
      {role.permissions.length === 0 ? (
        <Text c="dimmed">None: holders can sign in and nothing more.</Text>
      ) : (
        <List aria-label="Permissions of the role">
          {role.permissions.map((p) => (
            <List.Item key={p}>
              <Code>{p}</Code>
            </List.Item>
          ))}
        </List>
      )}
      <Anchor component={Link} to={`/orgs/${orgId}/assignments?role=${role.key}`}>
        Who holds this role
      </Anchor>
      {mayEdit && !editing && (
        <div>
          <Button onClick={() => setEditing(true)}>Edit role</Button>
        </div>
      )}
      {mayEdit && editing && (
        <RoleForm
          title="Edit role"
          role={role}
          choices={loaded.data.choices}
          submitLabel="Save"
          onSubmit={async (input) => {
            try {
              await accessApi.updateRole(orgId, role.key, input, etag);
            } catch (err) {
              // Someone changed it since it was read: the form says so; reading it again helps.
              setStale(err instanceof ApiError && err.problem.status === 412);
              throw err;
            }
            setEditing(false);
            await loaded.reload();
          }}
          onCancel={() => setEditing(false)}
          footer={
            stale && (
              <Button
                variant="light"
                onClick={() => {
                  setStale(false);
                  setEditing(false);
                  void loaded.reload();
                }}
              >
                Read the current version
              </Button>
            )
          }
        />
      )}
    </Stack>
  );
}
