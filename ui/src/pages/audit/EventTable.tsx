import { Anchor, Badge, Button, Center, Loader, Table, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { DateTime } from '../../components/DateTime.tsx';
import type { AuditEvent, Outcome } from './api.ts';
import type { EventPages } from './useEventPages.ts';

export const outcomeColor: Record<Outcome, string> = {
  success: 'green',
  failure: 'orange',
  denied: 'red',
};

type PartyOf = AuditEvent['actor'] | AuditEvent['target'];

/** "type id", or the type alone when there is no id (the system, an anonymous caller). */
export const partyOf = (party: PartyOf) => [party.type, party.id].filter(Boolean).join(' ') || '—';

/** A user by their email when it could be read (their id on hover), anything else by type and id. */
export function Party({ party, names }: { party: PartyOf; names: ReadonlyMap<string, string> }) {
  const email = party.type === 'user' && party.id ? names.get(party.id) : undefined;
  return email ? (
    <Text size="sm" title={partyOf(party)}>
      {email}
    </Text>
  ) : (
    <Text size="sm" ff="monospace">
      {partyOf(party)}
    </Text>
  );
}

/** The users an event names (actor or target), whose emails the table shows. */
export const userIdsOf = (events: AuditEvent[]) =>
  events
    .flatMap((e) => [e.actor, e.target])
    .flatMap((p) => (p.type === 'user' && p.id ? [p.id] : []));

const nowrap = { whiteSpace: 'nowrap' } as const;

/** Reads the next page when the end of the table scrolls into view. */
function useEndInView(pages: EventPages) {
  const end = useRef<HTMLDivElement>(null);
  const { hasMore, loading, loadMore } = pages;
  useEffect(() => {
    const target = end.current;
    if (!target || !hasMore || loading) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) loadMore();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasMore, loading, loadMore]);
  return end;
}

/** The events read so far, newest first; more arrive as the user scrolls (or asks). */
export function EventTable({
  pages,
  names,
  filtered,
  onOpen,
}: {
  pages: EventPages;
  names: ReadonlyMap<string, string>;
  filtered: boolean;
  onOpen: (event: AuditEvent) => void;
}) {
  const end = useEndInView(pages);
  const { events } = pages;
  if (!events) return <Loader aria-label="Loading audit events" />;
  if (events.length === 0)
    return (
      <Text c="dimmed">
        {filtered
          ? 'No event matches these filters: widen the period or clear a filter.'
          : 'No events yet: every change in this organization will be recorded here.'}
      </Text>
    );
  return (
    <>
      <Table striped highlightOnHover aria-label="Audit events">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Target</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((event) => (
            <Table.Tr key={event.id}>
              <Table.Td style={nowrap}>
                <DateTime value={event.occurredAt} />
              </Table.Td>
              <Table.Td>
                <Anchor component="button" type="button" onClick={() => onOpen(event)}>
                  {event.action}
                </Anchor>
              </Table.Td>
              <Table.Td style={nowrap}>
                <Badge color={outcomeColor[event.outcome]} variant="light">
                  {event.outcome}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Party party={event.actor} names={names} />
              </Table.Td>
              <Table.Td>
                <Party party={event.target} names={names} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Center ref={end} py="sm">
        {pages.loading && <Loader size="sm" aria-label="Loading more events" />}
        {!pages.loading && pages.hasMore && (
          <Button variant="default" onClick={pages.loadMore}>
            Load more events
          </Button>
        )}
        {!pages.hasMore && (
          <Text size="sm" c="dimmed">
            {events.length} {events.length === 1 ? 'event' : 'events'}: the start of the log
            {filtered ? ' for these filters' : ''}.
          </Text>
        )}
      </Center>
    </>
  );
}
