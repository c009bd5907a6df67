import { Anchor, Button, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { type ReactNode, useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { ShownOnce } from '../../components/ShownOnce.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { clientKinds, clientsApi, isConfidential, type OAuthClient } from './api.ts';
import { ClientStatus } from './ClientsPage.tsx';

type Asking = 'rotate' | 'disable' | undefined;

/** One client: its settings (never its secret), and for `clients.manage` rotate and disable. */
export function ClientDetail({ access }: { access: Access }) {
  const { orgId = access.orgId, clientId = '' } = useParams();
  const client = useLoaded(useCallback(() => clientsApi.get(orgId, clientId), [orgId, clientId]));
  const [asking, setAsking] = useState<Asking>();
  const [secret, setSecret] = useState<string>();
  const manages = access.permissions.has('clients.manage') && client.data?.status === 'active';

  async function rotate() {
    const rotated = await clientsApi.rotateSecret(orgId, clientId);
    setAsking(undefined);
    setSecret(rotated);
    await client.reload();
  }

  async function disable() {
    await clientsApi.disable(orgId, clientId);
    setAsking(undefined);
    await client.reload();
  }

  return (
    <Stack>
      <Anchor component={Link} to={`/orgs/${encodeURIComponent(orgId)}/clients`} size="sm">
        ← OAuth clients
      </Anchor>
      <LoadState error={client.error} loading={!client.data} what="the client" />
      {client.data && (
        <>
          <Group justify="space-between">
            <Title order={2}>{client.data.name}</Title>
            {manages && (
              <Group>
                {isConfidential(client.data.kind) && (
                  <Button variant="default" onClick={() => setAsking('rotate')}>
                    Rotate secret
                  </Button>
                )}
                <Button color="red" variant="light" onClick={() => setAsking('disable')}>
                  Disable
                </Button>
              </Group>
            )}
          </Group>
          <ClientSettings client={client.data} />
        </>
      )}
      <ConfirmDialog
        opened={asking === 'rotate'}
        title="Rotate the client secret?"
        confirmLabel="Rotate secret"
        onConfirm={rotate}
        onClose={() => setAsking(undefined)}
      >
        <Text>
          A new secret is made and shown once. The current one keeps working for the overlap period,
          time enough to deploy the new one.
        </Text>
      </ConfirmDialog>
      <ConfirmDialog
        opened={asking === 'disable'}
        title="Disable this client?"
        confirmLabel="Disable client"
        danger
        onConfirm={disable}
        onClose={() => setAsking(undefined)}
      >
        <Text>
          Its users can no longer sign in through it, it gets no token, and the tokens it was issued
          stop working at once. It cannot be enabled again: register a new client instead.
        </Text>
      </ConfirmDialog>
      <ShownOnce
        title="New client secret"
        what="the new client secret"
        secret={secret}
        onClose={() => setSecret(undefined)}
      />
    </Stack>
  );
}

const list = (values: string[]) =>
  values.length === 0 ? (
    <Text c="dimmed">none</Text>
  ) : (
    <Stack gap={2}>
      {values.map((v) => (
        <Code key={v}>{v}</Code>
      ))}
    </Stack>
  );

function ClientSettings({ client }: { client: OAuthClient }) {
  const rows: [string, ReactNode][] = [
    ['Client ID', <Code key="id">{client.id}</Code>],
    ['Status', <ClientStatus key="status" status={client.status} />],
    ['Kind', clientKinds[client.kind]],
    ['First-party', client.firstParty ? 'yes (no consent page)' : 'no'],
    ['Redirect URIs', list(client.redirectUris)],
    ['Post-logout redirect URIs', list(client.postLogoutRedirectUris)],
    [
      'Back-channel logout URI',
      list(client.backchannelLogoutUri ? [client.backchannelLogoutUri] : []),
    ],
    ['Grant types', list(client.grantTypes)],
    ['Resources', list(client.resources)],
    ['API scopes', list(client.apiScopes)],
    ['Registered', <DateTime key="created" value={client.createdAt} />],
  ];
  if (client.previousSecretValidUntil)
    rows.push([
      'Previous secret accepted until',
      <DateTime key="previous" value={client.previousSecretValidUntil} />,
    ]);
  return (
    <Table variant="vertical" withTableBorder aria-label="Client settings">
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w={240}>{label}</Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
