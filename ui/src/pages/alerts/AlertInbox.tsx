import { Anchor, Button, Group, Loader, Stack, Table, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { DateTime } from '../../components/DateTime.tsx';
import { Unreachable } from '../../components/Unreachable.tsx';
import { useCursorPages } from '../../components/useCursorPages.ts';
import { useLoaded } from '../../components/useLoaded.ts';
import { useUserNames } from '../../components/useUserNames.ts';
import { FilterSelect } from '../reviews/FilterSelect.tsx';
import { type Alert, type AlertFilter, type AlertStatus, alertsApi, statuses } from './api.ts';
import { AlertStatusBadge, SeverityBadge, severityChoices } from './Badges.tsx';

/** The organization's alerts, newest first, filtered by status, severity and rule. */
export function AlertInbox({ orgId, readsUsers }: { orgId: string; readsUsers: boolean }) {
  const [filter, setFilter] = useState<AlertFilter>({});
  const rules = useLoaded(useCallback(() => alertsApi.rules(orgId), [orgId]));
  const list = useCursorPages(
    useCallback((cursor?: string) => alertsApi.list(orgId, filter, cursor), [orgId, filter]),
  );
  const names = useUserNames(
    orgId,
    (list.items ?? []).flatMap((a) => (a.assigneeId ? [a.assigneeId] : [])),
    readsUsers,
  );
  const ruleNames = new Map((rules.data?.rules ?? []).map((r) => [r.key, r.name]));
  const filtered = Object.values(filter).some(Boolean);

  return (
    <Stack>
      <Group align="flex-end">
        <FilterSelect
          label="Status"
          anyLabel="Any status"
          options={statuses.map((s) => ({ value: s, label: statusLabel[s] }))}
          value={filter.status}
          onChange={(status) => setFilter((f) => ({ ...f, status }))}
        />
        <FilterSelect
          label="Severity"
          anyLabel="Any severity"
          options={severityChoices}
          value={filter.severity}
          onChange={(severity) => setFilter((f) => ({ ...f, severity }))}
        />
        <FilterSelect
          label="Rule"
          anyLabel="Any rule"
          options={(rules.data?.rules ?? []).map((r) => ({ value: r.key, label: r.name }))}
          value={filter.rule}
          onChange={(rule) => setFilter((f) => ({ ...f, rule }))}
        />
      </Group>
      {list.problem && <Unreachable problem={list.problem} what="the alerts" />}
      {!list.items && list.loading && <Loader aria-label="Loading the alerts" />}
      {list.items &&
        (list.items.length === 0 ? (
          <Text c="dimmed">
            {filtered
              ? 'No alert matches these filters.'
              : 'No alerts: the detection rules have found nothing to report.'}
          </Text>
        ) : (
          <>
            <Text size="sm" c="dimmed" aria-live="polite">
              {list.items.length} {list.items.length === 1 ? 'alert' : 'alerts'} shown
              {list.hasMore && ', more below'}.
            </Text>
            <AlertTable orgId={orgId} alerts={list.items} ruleNames={ruleNames} names={names} />
            {list.hasMore && (
              <Group>
                <Button variant="default" loading={list.loading} onClick={list.more}>
                  Load more alerts
                </Button>
              </Group>
            )}
          </>
        ))}
    </Stack>
  );
}

const statusLabel: Record<AlertStatus, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

function AlertTable({
  orgId,
  alerts,
  ruleNames,
  names,
}: {
  orgId: string;
  alerts: Alert[];
  ruleNames: ReadonlyMap<string, string>;
  names: ReadonlyMap<string, string>;
}) {
  return (
    <Table striped highlightOnHover aria-label="Alerts">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Severity</Table.Th>
          <Table.Th>Alert</Table.Th>
          <Table.Th>Rule</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Events</Table.Th>
          <Table.Th>Assignee</Table.Th>
          <Table.Th>Last seen</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {alerts.map((a) => (
          <Table.Tr key={a.id}>
            <Table.Td>
              <SeverityBadge severity={a.severity} />
            </Table.Td>
            <Table.Td>
              <Anchor
                component={Link}
                to={`/orgs/${encodeURIComponent(orgId)}/alerts/${encodeURIComponent(a.id)}`}
              >
                {a.title}
              </Anchor>
            </Table.Td>
            <Table.Td>{ruleNames.get(a.rule) ?? a.rule}</Table.Td>
            <Table.Td>
              <AlertStatusBadge status={a.status} />
            </Table.Td>
            <Table.Td>{a.eventCount}</Table.Td>
            <Table.Td>{a.assigneeId ? (names.get(a.assigneeId) ?? a.assigneeId) : '—'}</Table.Td>
            <Table.Td>
              <DateTime value={a.lastSeenAt} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
