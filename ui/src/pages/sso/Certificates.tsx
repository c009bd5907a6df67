import { Anchor, Badge, Code, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback } from 'react';
import { Link } from 'react-router';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type InventoryCertificate, ssoApi } from './api.ts';
import { DaysLeft } from './parts.tsx';
import { SamlKeys } from './SamlKeys.tsx';

/**
 * Every certificate single sign-on depends on, soonest expiry first: Vigil's SAML keys and the
 * upstream identity providers' certificates, highlighted within 30 and 7 days (when the expiry
 * alerts fire); then the SAML keys with their rotation.
 */
export function Certificates({ orgId, manages }: { orgId: string; manages: boolean }) {
  const inventory = useLoaded(useCallback(() => ssoApi.certificates(orgId), [orgId]));
  return (
    <Stack gap="xl">
      <Stack component="section" aria-label="Certificate inventory">
        <Title order={3} size="h4">
          Certificate inventory
        </Title>
        <Text size="sm" c="dimmed">
          An alert is raised 30 days and again 7 days before a certificate in use expires: rotate a
          SAML key, or add the identity provider's new certificate, before then.
        </Text>
        <LoadState error={inventory.error} loading={!inventory.data} what="the certificates" />
        {inventory.data?.length === 0 && (
          <Text c="dimmed">No certificate yet: neither a SAML key nor a SAML connection.</Text>
        )}
        {inventory.data && inventory.data.length > 0 && (
          <InventoryTable orgId={orgId} certificates={inventory.data} />
        )}
      </Stack>
      <SamlKeys orgId={orgId} manages={manages} onChanged={inventory.reload} />
    </Stack>
  );
}

function InventoryTable({
  orgId,
  certificates,
}: {
  orgId: string;
  certificates: InventoryCertificate[];
}) {
  return (
    <Table striped aria-label="Certificate inventory">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Certificate</Table.Th>
          <Table.Th>Subject</Table.Th>
          <Table.Th>Fingerprint (SHA-256)</Table.Th>
          <Table.Th>Expires</Table.Th>
          <Table.Th>Left</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {certificates.map((c) => (
          <Table.Tr key={`${c.source}-${c.id}`}>
            <Table.Td>
              {c.source === 'saml_key' ? (
                <Stack gap={2}>
                  <Text size="sm">SAML {c.use} key</Text>
                  {c.state && (
                    <Badge variant="light" color="gray" w="fit-content">
                      {c.state}
                    </Badge>
                  )}
                </Stack>
              ) : (
                <Text size="sm">
                  Identity provider of{' '}
                  {c.connectionId ? (
                    <Anchor
                      underline="always"
                      component={Link}
                      to={`/orgs/${encodeURIComponent(orgId)}/sso/connections/${encodeURIComponent(c.connectionId)}`}
                    >
                      {c.connectionName ?? 'a connection'}
                    </Anchor>
                  ) : (
                    (c.connectionName ?? 'a connection')
                  )}
                </Text>
              )}
            </Table.Td>
            <Table.Td>{c.subject}</Table.Td>
            <Table.Td>
              <Code style={{ wordBreak: 'break-all' }}>{c.fingerprint}</Code>
            </Table.Td>
            <Table.Td>
              <DateTime value={c.notAfter} />
            </Table.Td>
            <Table.Td>
              <DaysLeft days={c.daysLeft} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
