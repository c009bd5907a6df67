import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { ApplicationDialog } from './ApplicationDialog.tsx';
import { nameIdFormats, ssoApi } from './api.ts';
import { IdpDetails } from './IdpDetails.tsx';
import { EnabledBadge } from './parts.tsx';

/** The SAML applications that sign their users in through Vigil, and Vigil's IdP details. */
export function Applications({ orgId, manages }: { orgId: string; manages: boolean }) {
  const apps = useLoaded(useCallback(() => ssoApi.applications(orgId), [orgId]));
  const [adding, setAdding] = useState(false);
  const navigate = useNavigate();
  const base = `/orgs/${encodeURIComponent(orgId)}/sso/applications`;
  return (
    <Stack gap="xl">
      <Stack component="section" aria-label="SAML applications">
        <Group justify="space-between">
          <Title order={3} size="h4">
            SAML applications
          </Title>
          {manages && <Button onClick={() => setAdding(true)}>Add an application</Button>}
        </Group>
        <Text size="sm" c="dimmed">
          Each signs its users in through Vigil's hosted sign-in (password, second factor,
          policies), and is sent responses only at the ACS URLs registered for it.
        </Text>
        <LoadState error={apps.error} loading={!apps.data} what="the SAML applications" />
        {apps.data?.length === 0 && (
          <Text c="dimmed">
            No SAML application yet.{' '}
            {manages
              ? 'Add one from its fields or its SP metadata.'
              : 'An administrator who manages SSO adds them.'}
          </Text>
        )}
        {apps.data && apps.data.length > 0 && (
          <Table striped highlightOnHover aria-label="SAML applications">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Entity ID</Table.Th>
                <Table.Th>NameID</Table.Th>
                <Table.Th>IdP-initiated</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Changed</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {apps.data.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`${base}/${encodeURIComponent(a.id)}`}>
                      {a.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{a.entityId}</Table.Td>
                  <Table.Td>{nameIdFormats[a.nameIdFormat]}</Table.Td>
                  <Table.Td>{a.idpInitiated ? 'allowed' : 'no'}</Table.Td>
                  <Table.Td>
                    <EnabledBadge enabled={a.enabled} />
                  </Table.Td>
                  <Table.Td>
                    <DateTime value={a.updatedAt} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      <IdpDetails orgId={orgId} />
      {adding && (
        <ApplicationDialog
          onClose={() => setAdding(false)}
          save={async (input) => {
            const created = await ssoApi.createApplication(orgId, input);
            navigate(`${base}/${encodeURIComponent(created.id)}`);
          }}
        />
      )}
    </Stack>
  );
}
