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

/** "type id", or the type alone when there is no id (the system, an anonymous caller). */
export const partyOf = (party: { type: string | null; id: string | null }) =>
  [party.type, party.id].filter(Boolean).join(' ') || '—';

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
  filtered,
  onOpen,
}: {
  pages: EventPages;
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
                <Text size="sm" ff="monospace">
                  {partyOf(event.actor)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {partyOf(event.target)}
                </Text>
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
