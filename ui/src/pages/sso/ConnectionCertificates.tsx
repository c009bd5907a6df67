import { Button, Code, Group, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { FormDialog } from '../../components/FormDialog.tsx';
import { fieldError } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { type Connection, type ConnectionCertificate, ssoApi } from './api.ts';
import { DaysLeft, daysUntil } from './parts.tsx';

/**
 * The upstream identity provider's signing certificates, any of which Vigil accepts, with their
 * expiry. A new one is added before the provider switches to it; the old one removed after.
 */
export function ConnectionCertificates({
  orgId,
  connection,
  manages,
  onChanged,
}: {
  orgId: string;
  connection: Connection;
  manages: boolean;
  onChanged: () => Promise<void>;
}) {
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<ConnectionCertificate>();
  const certs = connection.certificates;
  return (
    <Stack component="section" aria-label="Identity provider certificates" gap="xs">
      <Group justify="space-between">
        <Title order={3} size="h4">
          Identity provider certificates
        </Title>
        {manages && (
          <Button variant="default" onClick={() => setAdding(true)}>
            Add a certificate
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        A response signed with any of these is accepted. Expiry alerts are raised 30 and 7 days
        before; a metadata refresh brings the provider's new certificate by itself.
      </Text>
      {certs.length === 0 ? (
        <Text c="dimmed">No certificate: no response from this provider can be accepted.</Text>
      ) : (
        <Table striped aria-label="Identity provider certificates">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Subject</Table.Th>
              <Table.Th>Fingerprint (SHA-256)</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Left</Table.Th>
              {manages && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {certs.map((cert) => (
              <Table.Tr key={cert.id}>
                <Table.Td>{cert.subject}</Table.Td>
                <Table.Td>
                  <Code style={{ wordBreak: 'break-all' }}>{cert.fingerprint}</Code>
                </Table.Td>
                <Table.Td>
                  <DateTime value={cert.notAfter} />
                </Table.Td>
                <Table.Td>
                  <DaysLeft days={daysUntil(cert.notAfter)} />
                </Table.Td>
                {manages && (
                  <Table.Td>
                    <Button
                      size="xs"
                      color="red"
                      variant="light"
                      aria-label={`Remove the certificate ${cert.fingerprint}`}
                      onClick={() => setRemoving(cert)}
                    >
                      Remove
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {adding && (
        <AddCertificate
          onClose={() => setAdding(false)}
          add={async (pem) => {
            await ssoApi.addCertificate(orgId, connection.id, pem);
            setAdding(false);
            await onChanged();
          }}
        />
      )}
      <ConfirmDialog
        opened={removing !== undefined}
        title="Remove this certificate?"
        confirmLabel="Remove certificate"
        danger
        onConfirm={async () => {
          if (!removing) return;
          await ssoApi.removeCertificate(orgId, connection.id, removing.id);
          setRemoving(undefined);
          await onChanged();
        }}
        onClose={() => setRemoving(undefined)}
      >
        <Text>
          Responses signed with <Code>{removing?.fingerprint}</Code> are refused from now on.
          {certs.length === 1 &&
            ' It is the only one: no sign-in through this connection works until another is added.'}
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}

function AddCertificate({
  onClose,
  add,
}: {
  onClose: () => void;
  add: (pem: string) => Promise<void>;
}) {
  const [pem, setPem] = useState('');
  const { busy, refusal, send } = useSending();
  function submit() {
    void send(() => add(pem.trim()));
  }
  return (
    <FormDialog
      title="Add a certificate"
      submitLabel="Add certificate"
      refusalTitle="Not added"
      size="lg"
      busy={busy}
      refusal={refusal}
      onClose={onClose}
      onSubmit={submit}
    >
      <Textarea
        label="Certificate (PEM)"
        description="The identity provider's signing certificate, -----BEGIN CERTIFICATE----- and all"
        required
        data-autofocus
        autosize
        minRows={6}
        maxRows={14}
        value={pem}
        onChange={(e) => setPem(e.currentTarget.value)}
        error={fieldError(refusal, 'certificate')}
      />
    </FormDialog>
  );
}
