import { Alert, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { ShownOnce } from '../../components/ShownOnce.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { integrationsApi, type SiemStream } from './api.ts';
import { RowActions } from './RowActions.tsx';
import { StreamDialog } from './StreamDialog.tsx';

type Asking = { what: 'add' } | { what: 'rotate' | 'delete'; stream: SiemStream } | undefined;

/**
 * The streams of the audit log to a SIEM, with how each is doing (events behind, failures in a
 * row, the last error); with `alerts.manage`, add, pause, rotate and remove them.
 */
export function SiemStreams({ orgId, manages }: { orgId: string; manages: boolean }) {
  const streams = useLoaded(useCallback(() => integrationsApi.streams(orgId), [orgId]));
  const [asking, setAsking] = useState<Asking>();
  const [secret, setSecret] = useState<{ name: string; secret: string }>();
  const [notice, setNotice] = useState<{ ok: boolean; text: string }>();
  const close = () => setAsking(undefined);
  const api = integrationsApi;

  async function changed(text: string) {
    close();
    setNotice({ ok: true, text });
    await streams.reload();
  }

  const toggle = (s: SiemStream) => async () => {
    setNotice(undefined);
    try {
      await api.updateStream(orgId, s.id, { enabled: !s.enabled });
      await changed(`${s.name} ${s.enabled ? 'paused' : 'resumed'}.`);
    } catch (err) {
      setNotice({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <Stack component="section" aria-label="SIEM streams">
      <Group justify="space-between">
        <Title order={3} size="h4">
          SIEM streams
        </Title>
        {manages && <Button onClick={() => setAsking({ what: 'add' })}>Add a stream</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        Each stream carries the audit log from where it stands; after an outage it resumes there and
        marks what may have been sent twice. Nothing is lost while a receiver is down.
      </Text>
      {notice && (
        <Alert color={notice.ok ? 'green' : 'red'} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </Alert>
      )}
      <LoadState error={streams.error} loading={!streams.data} what="the SIEM streams" />
      {streams.data?.length === 0 && <Text c="dimmed">No stream: the audit log stays here.</Text>}
      {streams.data && streams.data.length > 0 && (
        <Table striped aria-label="SIEM streams">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Destination</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Behind (events)</Table.Th>
              <Table.Th>Failures</Table.Th>
              <Table.Th>Last error</Table.Th>
              <Table.Th>Last delivered</Table.Th>
              {manages && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {streams.data.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>{s.name}</Table.Td>
                <Table.Td>
                  {s.kind}, {s.format === 'ocsf' ? 'OCSF' : 'JSON Lines'}
                </Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{s.url}</Table.Td>
                <Table.Td>
                  <StreamState stream={s} />
                </Table.Td>
                <Table.Td>{s.lag}</Table.Td>
                <Table.Td>{s.failures}</Table.Td>
                <Table.Td>{s.lastError ?? '—'}</Table.Td>
                <Table.Td>
                  <DateTime value={s.lastDeliveredAt} fallback="never" />
                </Table.Td>
                {manages && (
                  <Table.Td>
                    <RowActions
                      name={s.name}
                      actions={[
                        [s.enabled ? 'Pause' : 'Resume', toggle(s)],
                        ...(s.kind === 'webhook'
                          ? [
                              ['Rotate secret', () => setAsking({ what: 'rotate', stream: s })] as [
                                string,
                                () => void,
                              ],
                            ]
                          : []),
                        ['Delete', () => setAsking({ what: 'delete', stream: s })],
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
        <StreamDialog
          onClose={close}
          create={async (input) => {
            const created = await api.createStream(orgId, input);
            await changed(`${created.stream.name} added.`);
            if (created.secret) setSecret({ name: created.stream.name, secret: created.secret });
          }}
        />
      )}
      <ConfirmDialog
        opened={asking?.what === 'rotate'}
        title="Rotate the stream's secret?"
        confirmLabel="Rotate secret"
        onConfirm={async () => {
          if (asking?.what !== 'rotate') return;
          const rotated = await api.rotateStreamSecret(orgId, asking.stream.id);
          await changed(`${asking.stream.name}: secret rotated.`);
          setSecret({ name: asking.stream.name, secret: rotated });
        }}
        onClose={close}
      >
        <Text>
          A new secret signs every event posted from now on and is shown once; give it to the
          receiver.
        </Text>
      </ConfirmDialog>
      <ConfirmDialog
        opened={asking?.what === 'delete'}
        title="Delete the stream?"
        confirmLabel="Delete stream"
        danger
        onConfirm={async () => {
          if (asking?.what !== 'delete') return;
          await api.deleteStream(orgId, asking.stream.id);
          await changed(`${asking.stream.name} deleted.`);
        }}
        onClose={close}
      >
        <Text>
          Nothing more is sent, and where it stood is forgotten: a stream added later starts again.
        </Text>
      </ConfirmDialog>
      <ShownOnce
        title="The stream's signing secret"
        secret={secret?.secret}
        what="the signing secret"
        onClose={() => setSecret(undefined)}
      >
        <Text>
          The receiver of <strong>{secret?.name}</strong> verifies each event's signature with it.
        </Text>
      </ShownOnce>
    </Stack>
  );
}

/** Paused, failing (a retry is scheduled) or streaming: in words. */
function StreamState({ stream }: { stream: SiemStream }) {
  if (!stream.enabled)
    return (
      <Badge variant="light" color="gray">
        paused
      </Badge>
    );
  if (stream.failures > 0)
    return (
      <Stack gap={2}>
        <Badge variant="light" color="red">
          failing
        </Badge>
        {stream.nextAttemptAt && (
          <Text size="xs">
            Retry <DateTime value={stream.nextAttemptAt} />
          </Text>
        )}
      </Stack>
    );
  return (
    <Badge variant="light" color="green">
      streaming
    </Badge>
  );
}
