import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { DateTime } from '../../components/DateTime.tsx';
import { Unreachable } from '../../components/Unreachable.tsx';
import { useCursorPages } from '../../components/useCursorPages.ts';
import { FilterSelect } from '../reviews/FilterSelect.tsx';
import { type Delivery, type DeliveryStatus, integrationsApi } from './api.ts';

const statusInfo: Record<DeliveryStatus, { label: string; color: string }> = {
  pending: { label: 'pending', color: 'blue' },
  delivered: { label: 'delivered', color: 'green' },
  dead: { label: 'dead letter', color: 'red' },
};

/**
 * The alert notifications sent (mail and webhooks), newest first; the dead-letter list is those
 * whose last attempt failed, and `alerts.manage` sends one again (Retry).
 */
export function Deliveries({ orgId, manages }: { orgId: string; manages: boolean }) {
  const [status, setStatus] = useState<DeliveryStatus>();
  const list = useCursorPages(
    useCallback(
      (cursor?: string) => integrationsApi.deliveries(orgId, status, cursor),
      [orgId, status],
    ),
  );
  const [notice, setNotice] = useState<{ ok: boolean; text: string }>();

  async function retry(delivery: Delivery) {
    setNotice(undefined);
    try {
      await integrationsApi.retryDelivery(orgId, delivery.id);
      setNotice({ ok: true, text: `Sending again to ${delivery.recipient}.` });
      await list.reload();
    } catch (err) {
      setNotice({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  }

  return (
    <Stack component="section" aria-label="Deliveries">
      <Title order={3} size="h4">
        Deliveries
      </Title>
      <Group align="flex-end">
        <FilterSelect
          label="Delivery status"
          anyLabel="Any status"
          options={(['pending', 'delivered', 'dead'] as const).map((s) => ({
            value: s,
            label:
              s === 'dead'
                ? 'Dead letters'
                : statusInfo[s].label.replace(/^./, (c) => c.toUpperCase()),
          }))}
          value={status}
          onChange={setStatus}
        />
      </Group>
      {notice && (
        <Alert color={notice.ok ? 'green' : 'red'} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </Alert>
      )}
      {list.problem && <Unreachable problem={list.problem} what="the deliveries" />}
      {!list.items && list.loading && <Loader aria-label="Loading the deliveries" />}
      {list.items?.length === 0 && (
        <Text c="dimmed">
          {status === 'dead'
            ? 'No dead letters: every notification went through or is still being tried.'
            : status
              ? 'No delivery with this status.'
              : 'Nothing sent yet.'}
        </Text>
      )}
      {list.items && list.items.length > 0 && (
        <Table striped aria-label="Deliveries">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Created</Table.Th>
              <Table.Th>Alert</Table.Th>
              <Table.Th>Channel</Table.Th>
              <Table.Th>Recipient</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last answer</Table.Th>
              <Table.Th>Next attempt or delivered</Table.Th>
              {manages && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.items.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  <DateTime value={d.createdAt} />
                </Table.Td>
                <Table.Td>
                  <Anchor
                    component={Link}
                    to={`/orgs/${encodeURIComponent(orgId)}/alerts/${encodeURIComponent(d.alertId)}`}
                  >
                    Open alert
                  </Anchor>
                </Table.Td>
                <Table.Td>{d.channel}</Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{d.recipient}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={statusInfo[d.status].color}>
                    {statusInfo[d.status].label}
                  </Badge>
                </Table.Td>
                <Table.Td>{d.attempts}</Table.Td>
                <Table.Td>
                  {[d.lastStatus && `HTTP ${d.lastStatus}`, d.lastError]
                    .filter(Boolean)
                    .join(': ') || '—'}
                </Table.Td>
                <Table.Td>
                  <DateTime value={d.status === 'delivered' ? d.deliveredAt : d.nextAttemptAt} />
                </Table.Td>
                {manages && (
                  <Table.Td>
                    {d.status === 'dead' && (
                      <Button
                        size="xs"
                        variant="default"
                        aria-label={`Retry the delivery to ${d.recipient}`}
                        onClick={() => void retry(d)}
                      >
                        Retry
                      </Button>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {list.hasMore && (
        <Group>
          <Button variant="default" loading={list.loading} onClick={list.more}>
            Load more deliveries
          </Button>
        </Group>
      )}
    </Stack>
  );
}
