import { Badge, Button, Code, Drawer, Group, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { DateTime } from '../../components/DateTime.tsx';
import type { AuditAction, AuditEvent, AuditFilter } from './api.ts';
import { outcomeColor, Party, partyOf } from './EventTable.tsx';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={120}>{label}</Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

const mono = (value: string | null) => (
  <Text size="sm" ff="monospace">
    {value ?? '—'}
  </Text>
);

/** One event in full: who, what, on what, from where, and its details as recorded. */
export function EventDrawer({
  event,
  actions,
  names,
  onClose,
  onFilter,
}: {
  event: AuditEvent | undefined;
  actions: AuditAction[] | undefined;
  names: ReadonlyMap<string, string>;
  onClose: () => void;
  /** Narrows the log to this event's actor or target. */
  onFilter: (filter: AuditFilter) => void;
}) {
  const meaning = event && actions?.find((a) => a.action === event.action)?.description;
  return (
    <Drawer
      opened={event !== undefined}
      onClose={onClose}
      position="right"
      size="lg"
      title="Audit event"
    >
      {event && (
        <Stack>
          <Table aria-label="Event">
            <Table.Tbody>
              <Row label="Action">
                <Stack gap={2}>
                  {mono(event.action)}
                  {meaning && (
                    <Text size="sm" c="dimmed">
                      {meaning}
                    </Text>
                  )}
                </Stack>
              </Row>
              <Row label="Outcome">
                <Badge color={outcomeColor[event.outcome]} variant="light">
                  {event.outcome}
                </Badge>
              </Row>
              <Row label="Time">
                <DateTime value={event.occurredAt} />
              </Row>
              <Row label="Actor">
                <Party party={event.actor} names={names} />
                {names.has(event.actor.id ?? '') && mono(partyOf(event.actor))}
              </Row>
              <Row label="From address">{mono(event.actor.ip)}</Row>
              <Row label="User agent">{mono(event.actor.userAgent)}</Row>
              <Row label="Target">
                <Party party={event.target} names={names} />
                {names.has(event.target.id ?? '') && mono(partyOf(event.target))}
              </Row>
              <Row label="Request id">{mono(event.requestId)}</Row>
              <Row label="Event id">{mono(event.id)}</Row>
            </Table.Tbody>
          </Table>
          <Text fw={600} size="sm">
            Details
          </Text>
          <Code block aria-label="Details">
            {JSON.stringify(event.details, null, 2)}
          </Code>
          <Group>
            {event.actor.id && (
              <Button
                variant="default"
                onClick={() => onFilter({ actorId: event.actor.id ?? undefined })}
              >
                Events by this actor
              </Button>
            )}
            {event.target.id && (
              <Button
                variant="default"
                onClick={() => onFilter({ targetId: event.target.id ?? undefined })}
              >
                Events on this target
              </Button>
            )}
          </Group>
        </Stack>
      )}
    </Drawer>
  );
}
