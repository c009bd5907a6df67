import {
  Badge,
  Button,
  Code,
  Group,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { ShownOnce } from '../../components/ShownOnce.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type ApiKey, apiKeysApi, keyStatus } from './api.ts';
import { CreateApiKeyDialog } from './CreateApiKeyDialog.tsx';
import { RevokeApiKeyDialog } from './RevokeApiKeyDialog.tsx';

/** The organization's API keys (the section needs `apikeys.manage`): create, revoke. */
export function ApiKeysPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const keys = useLoaded(useCallback(() => apiKeysApi.list(orgId), [orgId]));
  const [creating, setCreating] = useState(false);
  const [token, setToken] = useState<string>();
  const [revoking, setRevoking] = useState<ApiKey>();

  async function created(answer: { token: string }) {
    setCreating(false);
    setToken(answer.token);
    await keys.reload();
  }

  async function revoked() {
    setRevoking(undefined);
    await keys.reload();
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>API keys</Title>
        <Button onClick={() => setCreating(true)}>Create an API key</Button>
      </Group>
      <Text size="sm" c="dimmed">
        A key acts for the person who made it, with no more than their permissions, in this
        organization only.
      </Text>
      <LoadState error={keys.error} loading={!keys.data} what="the API keys" />
      {keys.data && <KeyTable keys={keys.data} access={access} onRevoke={setRevoking} />}
      <CreateApiKeyDialog
        orgId={orgId}
        access={access}
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={created}
      />
      <RevokeApiKeyDialog
        orgId={orgId}
        apiKey={revoking}
        onClose={() => setRevoking(undefined)}
        onRevoked={revoked}
      />
      <ShownOnce
        title="New API key"
        what="the API key"
        secret={token}
        onClose={() => setToken(undefined)}
      />
    </Stack>
  );
}

const statusColor = { active: 'green', expired: 'gray', revoked: 'red' } as const;

function KeyTable({
  keys,
  access,
  onRevoke,
}: {
  keys: ApiKey[];
  access: Access;
  onRevoke: (key: ApiKey) => void;
}) {
  if (keys.length === 0)
    return (
      <Text c="dimmed">
        No API keys yet: create one for a script or a service that calls the admin API.
      </Text>
    );
  const owner = (key: ApiKey) =>
    key.createdBy === null ? (
      'the operator (CLI)'
    ) : key.createdBy === access.userId ? (
      'you'
    ) : (
      <Code>{key.createdBy}</Code>
    );
  return (
    <Table striped highlightOnHover aria-label="API keys">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Permissions</Table.Th>
          <Table.Th>Acts for</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th>Expires</Table.Th>
          <Table.Th>Last used</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {keys.map((key) => {
          const status = keyStatus(key);
          return (
            <Table.Tr key={key.id}>
              <Table.Td>{key.name}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {key.permissions.map((p) => (
                    <Badge key={p} variant="outline" tt="none">
                      {p}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{owner(key)}</Table.Td>
              <Table.Td>
                <DateTime value={key.createdAt} />
              </Table.Td>
              <Table.Td>
                <DateTime value={key.expiresAt} />
              </Table.Td>
              <Table.Td>
                <DateTime value={key.lastUsedAt} fallback="never" />
                {key.lastUsedIp && ` from ${key.lastUsedIp}`}
              </Table.Td>
              <Table.Td>
                <Badge color={statusColor[status]} variant="light">
                  {status}
                </Badge>
              </Table.Td>
              <Table.Td>
                {status === 'active' && (
                  <Button
                    size="xs"
                    color="red"
                    variant="light"
                    aria-label={`Revoke ${key.name}`}
                    onClick={() => onRevoke(key)}
                  >
                    Revoke
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
