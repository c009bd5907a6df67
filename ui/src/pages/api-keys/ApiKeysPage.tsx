import { Badge, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { CredentialTable, creatorOf } from '../../components/CredentialTable.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { ShownOnce } from '../../components/ShownOnce.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type ApiKey, apiKeysApi } from './api.ts';
import { CreateApiKeyDialog } from './CreateApiKeyDialog.tsx';
import { RevokeApiKeyDialog } from './RevokeApiKeyDialog.tsx';

/** The organization's API keys (the section needs `apikeys.manage`): create, revoke. */
export function ApiKeysPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const keys = useLoaded(useCallback(() => apiKeysApi.list(orgId), [orgId]));
  const [creating, setCreating] = useState(false);
  const [token, setToken] = useState<string>();
  const [revoking, setRevoking] = useState<ApiKey>();

  async function created(token: string) {
    setCreating(false);
    setToken(token);
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

function KeyTable({
  keys,
  access,
  onRevoke,
}: {
  keys: ApiKey[];
  access: Access;
  onRevoke: (key: ApiKey) => void;
}) {
  return (
    <CredentialTable
      label="API keys"
      credentials={keys}
      empty="No API keys yet: create one for a script or a service that calls the admin API."
      columns={[
        {
          header: 'Permissions',
          cell: (key) => (
            <Group gap={4}>
              {key.permissions.map((p) => (
                <Badge key={p} variant="outline" tt="none">
                  {p}
                </Badge>
              ))}
            </Group>
          ),
        },
        { header: 'Acts for', cell: (key) => creatorOf(key, access) },
      ]}
      onRevoke={onRevoke}
    />
  );
}
