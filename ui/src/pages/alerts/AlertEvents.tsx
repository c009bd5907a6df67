import { Anchor, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { DateTime } from '../../components/DateTime.tsx';
import type { AuditEvent } from '../audit/api.ts';
import { eventLinkOf } from '../audit/auditLink.ts';

/** The audit events that raised an alert, each a link to itself in the audit log. */
export function AlertEvents({
  orgId,
  events,
  eventCount,
  names,
}: {
  orgId: string;
  events: AuditEvent[];
  eventCount: number;
  names: ReadonlyMap<string, string>;
}) {
  if (events.length === 0) return <Text c="dimmed">No event of this alert can be read.</Text>;
  const actor = (e: AuditEvent) =>
    e.actor.id ? (names.get(e.actor.id) ?? `${e.actor.type} ${e.actor.id}`) : e.actor.type;
  return (
    <>
      {eventCount > events.length && (
        <Text size="sm" c="dimmed">
          The first {events.length} of {eventCount} events.
        </Text>
      )}
      <Table striped aria-label="Events of the alert">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Address</Table.Th>
            <Table.Th>Outcome</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>
                <DateTime value={e.occurredAt} />
              </Table.Td>
              <Table.Td>
                <Anchor
                  component={Link}
                  to={eventLinkOf(orgId, e)}
                  aria-label={`${e.action} in the audit log`}
                >
                  {e.action}
                </Anchor>
              </Table.Td>
              <Table.Td>{actor(e)}</Table.Td>
              <Table.Td>{e.actor.ip ?? '—'}</Table.Td>
              <Table.Td>{e.outcome}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
