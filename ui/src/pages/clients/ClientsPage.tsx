import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { ShownOnce } from '../../components/ShownOnce.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { clientKinds, clientsApi, type OAuthClient } from './api.ts';
import { CreateClientDialog } from './CreateClientDialog.tsx';

/** The organization's OAuth clients; a holder of `clients.manage` registers new ones. */
export function ClientsPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const clients = useLoaded(useCallback(() => clientsApi.list(orgId), [orgId]));
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string>();
  const manages = access.permissions.has('clients.manage');

  async function created(answer: { secret: string | null }) {
    setCreating(false);
    setSecret(answer.secret ?? undefined);
    await clients.reload();
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>OAuth clients</Title>
        {manages && <Button onClick={() => setCreating(true)}>Register a client</Button>}
      </Group>
      <LoadState error={clients.error} loading={!clients.data} what="the clients" />
      {clients.data && <ClientTable orgId={orgId} clients={clients.data} manages={manages} />}
      {manages && (
        <CreateClientDialog
          orgId={orgId}
          opened={creating}
          onClose={() => setCreating(false)}
          onCreated={created}
        />
      )}
      <ShownOnce
        title="Client secret"
        what="the client secret"
        secret={secret}
        onClose={() => setSecret(undefined)}
      />
    </Stack>
  );
}

function ClientTable({
  orgId,
  clients,
  manages,
}: {
  orgId: string;
  clients: OAuthClient[];
  manages: boolean;
}) {
  if (clients.length === 0)
    return (
      <Text c="dimmed">
        No OAuth clients yet.{' '}
        {manages
          ? 'Register one for each application that signs its users in with Vigil.'
          : 'An administrator with the right to manage clients registers them.'}
      </Text>
    );
  return (
    <Table striped highlightOnHover aria-label="OAuth clients">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Kind</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Registered</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {clients.map((client) => (
          <Table.Tr key={client.id}>
            <Table.Td>
              <Anchor
                component={Link}
                to={`/orgs/${encodeURIComponent(orgId)}/clients/${encodeURIComponent(client.id)}`}
              >
                {client.name}
              </Anchor>
            </Table.Td>
            <Table.Td>{clientKinds[client.kind]}</Table.Td>
            <Table.Td>
              <ClientStatus status={client.status} />
            </Table.Td>
            <Table.Td>
              <DateTime value={client.createdAt} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ClientStatus({ status }: { status: OAuthClient['status'] }) {
  return (
    <Badge color={status === 'active' ? 'green' : 'gray'} variant="light">
      {status}
    </Badge>
  );
}
