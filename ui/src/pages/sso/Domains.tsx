import { Badge, Button, Group, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type Connection, type SsoDomain, ssoApi } from './api.ts';
import { ClaimDomainDialog } from './ClaimDomainDialog.tsx';
import { messageOf, type Notice, NoticeAlert } from './parts.tsx';
import { VerifyDomainDialog } from './VerifyDomainDialog.tsx';

type Asking = { what: 'claim' } | { what: 'verify' | 'remove'; domain: SsoDomain } | undefined;

const verificationLabel = { file: 'by file', attestation: 'by attestation' } as const;

/**
 * The email domains of the organization: a user whose email is in a verified domain is sent to
 * the connection it is linked to (home-realm discovery). A domain is verified by a file it
 * serves or by a platform administrator's attestation, both audited; once verified, no other
 * organization can claim it.
 */
export function Domains({
  orgId,
  manages,
  attests,
}: {
  orgId: string;
  manages: boolean;
  /** A platform administrator, whose attestation the API takes. */
  attests: boolean;
}) {
  const read = useLoaded(
    useCallback(async () => {
      const [domains, connections] = await Promise.all([
        ssoApi.domains(orgId),
        ssoApi.connections(orgId),
      ]);
      return { domains, connections };
    }, [orgId]),
  );
  const [asking, setAsking] = useState<Asking>();
  const [notice, setNotice] = useState<Notice>();
  const close = () => setAsking(undefined);

  async function changed(text: string) {
    close();
    setNotice({ ok: true, text });
    await read.reload();
  }

  async function link(d: SsoDomain, connectionId: string) {
    setNotice(undefined);
    try {
      await ssoApi.linkDomain(orgId, d.id, connectionId || null);
      const name = read.data?.connections.find((c) => c.id === connectionId)?.name;
      await changed(name ? `${d.domain} leads to ${name}.` : `${d.domain} leads to no connection.`);
    } catch (err) {
      setNotice({ ok: false, text: messageOf(err) });
    }
  }

  return (
    <Stack component="section" aria-label="Domains">
      <Group justify="space-between">
        <Title order={3} size="h4">
          Domains
        </Title>
        {manages && <Button onClick={() => setAsking({ what: 'claim' })}>Claim a domain</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        Verification by DNS record is not offered: a domain is verified by a file signed by Vigil
        that it serves over HTTPS, or by a platform administrator's attestation after a check of
        their own, which the audit log keeps with their name.
      </Text>
      <NoticeAlert notice={notice} />
      <LoadState error={read.error} loading={!read.data} what="the domains" />
      {read.data?.domains.length === 0 && (
        <Text c="dimmed">
          No domain claimed: users choose nothing, they sign in with their password.
        </Text>
      )}
      {read.data && read.data.domains.length > 0 && (
        <DomainTable
          domains={read.data.domains}
          connections={read.data.connections}
          manages={manages}
          onLink={(d, id) => void link(d, id)}
          onAsk={(what, domain) => setAsking({ what, domain })}
        />
      )}
      {asking?.what === 'claim' && read.data && (
        <ClaimDomainDialog
          connections={read.data.connections}
          onClose={close}
          claim={async (input) => {
            const claimed = await ssoApi.claimDomain(orgId, input);
            await changed(`${claimed.domain} claimed: verify it to use it.`);
          }}
        />
      )}
      {asking?.what === 'verify' && (
        <VerifyDomainDialog
          domain={asking.domain}
          attests={attests}
          onClose={close}
          verify={async (verification) => {
            await ssoApi.verifyDomain(orgId, asking.domain.id, verification);
            await changed(`${asking.domain.domain} verified.`);
          }}
        />
      )}
      <ConfirmDialog
        opened={asking?.what === 'remove'}
        title="Remove this domain?"
        confirmLabel="Remove domain"
        danger
        onConfirm={async () => {
          if (asking?.what !== 'remove') return;
          await ssoApi.removeDomain(orgId, asking.domain.id);
          await changed(`${asking.domain.domain} removed.`);
        }}
        onClose={close}
      >
        <Text>
          Users of <strong>{asking?.what === 'remove' && asking.domain.domain}</strong> are no
          longer sent to a connection when they sign in, and another organization may claim it.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}

function DomainTable({
  domains,
  connections,
  manages,
  onLink,
  onAsk,
}: {
  domains: SsoDomain[];
  connections: Connection[];
  manages: boolean;
  onLink: (domain: SsoDomain, connectionId: string) => void;
  onAsk: (what: 'verify' | 'remove', domain: SsoDomain) => void;
}) {
  const nameOf = (id: string | null) =>
    (id && connections.find((c) => c.id === id)?.name) ?? 'none';
  const choices = [
    { value: '', label: 'No connection' },
    ...connections.map((c) => ({ value: c.id, label: c.name })),
  ];
  return (
    <Table striped aria-label="Domains">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Domain</Table.Th>
          <Table.Th>Connection</Table.Th>
          <Table.Th>Verified</Table.Th>
          <Table.Th>Claimed</Table.Th>
          {manages && <Table.Th>Actions</Table.Th>}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {domains.map((d) => (
          <Table.Tr key={d.id}>
            <Table.Td>{d.domain}</Table.Td>
            <Table.Td>
              {manages ? (
                <NativeSelect
                  aria-label={`Connection of ${d.domain}`}
                  size="xs"
                  data={choices}
                  value={d.connectionId ?? ''}
                  onChange={(e) => onLink(d, e.currentTarget.value)}
                />
              ) : (
                nameOf(d.connectionId)
              )}
            </Table.Td>
            <Table.Td>
              {d.verifiedAt && d.verification ? (
                <Stack gap={2}>
                  <Badge variant="light" color="green">
                    verified {verificationLabel[d.verification]}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    <DateTime value={d.verifiedAt} />
                    {d.verifiedBy && `, by ${d.verifiedBy}`}
                  </Text>
                </Stack>
              ) : (
                <Badge variant="light" color="yellow">
                  not verified
                </Badge>
              )}
            </Table.Td>
            <Table.Td>
              <DateTime value={d.createdAt} />
            </Table.Td>
            {manages && (
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  {!d.verifiedAt && (
                    <Button
                      size="xs"
                      variant="default"
                      aria-label={`Verify ${d.domain}`}
                      onClick={() => onAsk('verify', d)}
                    >
                      Verify
                    </Button>
                  )}
                  <Button
                    size="xs"
                    color="red"
                    variant="light"
                    aria-label={`Remove ${d.domain}`}
                    onClick={() => onAsk('remove', d)}
                  >
                    Remove
                  </Button>
                </Group>
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
