import { Alert, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { ShownOnce } from '../../components/ShownOnce.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { SeverityBadge } from '../alerts/Badges.tsx';
import { integrationsApi, type WebhookEndpoint } from './api.ts';
import { EndpointDialog } from './EndpointDialog.tsx';
import { RowActions } from './RowActions.tsx';

type Asking =
  | { what: 'add' }
  | { what: 'edit' | 'rotate' | 'delete'; endpoint: WebhookEndpoint }
  | undefined;

type Notice = { ok: boolean; text: string };

/** The endpoints alerts are posted to; with `alerts.manage`, add, change, test and remove them. */
export function WebhookEndpoints({ orgId, manages }: { orgId: string; manages: boolean }) {
  const endpoints = useLoaded(useCallback(() => integrationsApi.endpoints(orgId), [orgId]));
  const [asking, setAsking] = useState<Asking>();
  const [secret, setSecret] = useState<{ name: string; secret: string }>();
  const [notice, setNotice] = useState<Notice>();
  const close = () => setAsking(undefined);
  const api = integrationsApi;

  async function changed(text: string) {
    close();
    setNotice({ ok: true, text });
    await endpoints.reload();
  }

  /** A change made at once from the table: a refusal shows above it. */
  const attempt = (run: () => Promise<void>) => async () => {
    setNotice(undefined);
    try {
      await run();
    } catch (err) {
      setNotice({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  };

  async function test(endpoint: WebhookEndpoint) {
    const result = await api.testEndpoint(orgId, endpoint.id);
    setNotice(
      result.delivered
        ? { ok: true, text: `Test sent to ${endpoint.name}: answered HTTP ${result.status}.` }
        : {
            ok: false,
            text: `Test to ${endpoint.name} failed: ${result.error ?? `HTTP ${result.status}`}.`,
          },
    );
  }

  return (
    <Stack component="section" aria-label="Webhook endpoints">
      <Group justify="space-between">
        <Title order={3} size="h4">
          Webhook endpoints
        </Title>
        {manages && <Button onClick={() => setAsking({ what: 'add' })}>Add an endpoint</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        Each alert at or above an endpoint's least severity is posted to it, signed per Standard
        Webhooks with its secret, and retried with back-off; the last failure goes to the
        dead-letter list below.
      </Text>
      {notice && (
        <Alert color={notice.ok ? 'green' : 'red'} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </Alert>
      )}
      <LoadState error={endpoints.error} loading={!endpoints.data} what="the webhook endpoints" />
      {endpoints.data?.length === 0 && (
        <Text c="dimmed">No endpoint: alerts go to the inbox and by mail only.</Text>
      )}
      {endpoints.data && endpoints.data.length > 0 && (
        <Table striped aria-label="Webhook endpoints">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>URL</Table.Th>
              <Table.Th>Least severity</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Changed</Table.Th>
              {manages && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {endpoints.data.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>{e.name}</Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{e.url}</Table.Td>
                <Table.Td>
                  <SeverityBadge severity={e.minSeverity} />
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={e.enabled ? 'green' : 'gray'}>
                    {e.enabled ? 'enabled' : 'disabled'}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <DateTime value={e.updatedAt} />
                </Table.Td>
                {manages && (
                  <Table.Td>
                    <RowActions
                      name={e.name}
                      actions={[
                        ['Edit', () => setAsking({ what: 'edit', endpoint: e })],
                        [
                          e.enabled ? 'Disable' : 'Enable',
                          attempt(async () => {
                            await api.updateEndpoint(orgId, e.id, { enabled: !e.enabled });
                            await changed(`${e.name} ${e.enabled ? 'disabled' : 'enabled'}.`);
                          }),
                        ],
                        ['Send test', attempt(() => test(e))],
                        ['Rotate secret', () => setAsking({ what: 'rotate', endpoint: e })],
                        ['Delete', () => setAsking({ what: 'delete', endpoint: e })],
                      ]}
                    />
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {asking?.what === 'add' && (
        <EndpointDialog
          onClose={close}
          save={async (input) => {
            const created = await api.createEndpoint(orgId, input);
            await changed(`${created.endpoint.name} added.`);
            setSecret({ name: created.endpoint.name, secret: created.secret });
          }}
        />
      )}
      {asking?.what === 'edit' && (
        <EndpointDialog
          endpoint={asking.endpoint}
          onClose={close}
          save={async (input) => {
            await api.updateEndpoint(orgId, asking.endpoint.id, input);
            await changed(`${input.name} saved.`);
          }}
        />
      )}
      <ConfirmDialog
        opened={asking?.what === 'rotate'}
        title="Rotate the signing secret?"
        confirmLabel="Rotate secret"
        onConfirm={async () => {
          if (asking?.what !== 'rotate') return;
          const rotated = await api.rotateEndpointSecret(orgId, asking.endpoint.id);
          await changed(`${asking.endpoint.name}: secret rotated.`);
          setSecret({ name: asking.endpoint.name, secret: rotated });
        }}
        onClose={close}
      >
        <Text>
          A new secret signs every notification from now on and is shown once; the receiver must be
          given it, or it will reject what is sent.
        </Text>
      </ConfirmDialog>
      <ConfirmDialog
        opened={asking?.what === 'delete'}
        title="Delete the endpoint?"
        confirmLabel="Delete endpoint"
        danger
        onConfirm={async () => {
          if (asking?.what !== 'delete') return;
          await api.deleteEndpoint(orgId, asking.endpoint.id);
          await changed(`${asking.endpoint.name} deleted.`);
        }}
        onClose={close}
      >
        <Text>
          Nothing more is posted to it. What was already sent stays in the deliveries as a record.
        </Text>
      </ConfirmDialog>
      <ShownOnce
        title="The endpoint's signing secret"
        secret={secret?.secret}
        what="the signing secret"
        onClose={() => setSecret(undefined)}
      >
        <Text>
          Give it to the receiver of <strong>{secret?.name}</strong>: it verifies each
          notification's
          <code> webhook-signature</code> header with it (Standard Webhooks).
        </Text>
      </ShownOnce>
    </Stack>
  );
}
