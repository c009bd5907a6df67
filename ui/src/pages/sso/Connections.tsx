import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type Connection, ssoApi } from './api.ts';
import { ConnectionDialog } from './ConnectionDialog.tsx';
import { EnabledBadge } from './parts.tsx';

export const protocolLabel = { saml: 'SAML 2.0', oidc: 'OpenID Connect' } as const;
export const provisioningLabel = {
  jit: 'Create users on first sign-in',
  match: 'Existing users only',
} as const;

/** Where a connection's upstream lives: its SAML entity ID or its OIDC issuer. */
export const upstreamOf = (c: Connection) => c.saml?.idpEntityId ?? c.oidc?.issuer ?? '—';

/** The organization's own identity providers (upstream), by SAML or OpenID Connect. */
export function Connections({ orgId, manages }: { orgId: string; manages: boolean }) {
  const connections = useLoaded(useCallback(() => ssoApi.connections(orgId), [orgId]));
  const [adding, setAdding] = useState(false);
  const navigate = useNavigate();
  const base = `/orgs/${encodeURIComponent(orgId)}/sso/connections`;
  return (
    <Stack component="section" aria-label="Connections">
      <Group justify="space-between">
        <Title order={3} size="h4">
          Connections
        </Title>
        {manages && <Button onClick={() => setAdding(true)}>Add a connection</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        The organization's own identity provider (Okta, Entra ID, Google…) signs its users in to
        Vigil. A user is sent to it by the verified domain of their email (the Domains tab).
      </Text>
      <LoadState error={connections.error} loading={!connections.data} what="the connections" />
      {connections.data?.length === 0 && (
        <Text c="dimmed">
          No connection yet.{' '}
          {manages
            ? 'Add one by SAML (its metadata, or its fields) or by OpenID Connect (its issuer).'
            : 'An administrator who manages SSO adds them.'}
        </Text>
      )}
      {connections.data && connections.data.length > 0 && (
        <Table striped highlightOnHover aria-label="Connections">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Protocol</Table.Th>
              <Table.Th>Identity provider</Table.Th>
              <Table.Th>Users</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Changed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {connections.data.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Anchor component={Link} to={`${base}/${encodeURIComponent(c.id)}`}>
                    {c.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color="gray">
                    {protocolLabel[c.protocol]}
                  </Badge>
                </Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{upstreamOf(c)}</Table.Td>
                <Table.Td>{provisioningLabel[c.provisioning]}</Table.Td>
                <Table.Td>
                  <EnabledBadge enabled={c.enabled} />
                </Table.Td>
                <Table.Td>
                  <DateTime value={c.updatedAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {adding && (
        <ConnectionDialog
          onClose={() => setAdding(false)}
          save={async (input) => {
            const created = await ssoApi.createConnection(orgId, input);
            navigate(`${base}/${encodeURIComponent(created.id)}`);
          }}
        />
      )}
    </Stack>
  );
}
