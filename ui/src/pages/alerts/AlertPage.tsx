import { Anchor, Group, List, Alert as Notice, Stack, Table, Text, Title } from '@mantine/core';
import { type ReactNode, useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useUserNames } from '../../components/useUserNames.ts';
import { auditLinkOf } from '../audit/auditLink.ts';
import { AlertActions } from './AlertActions.tsx';
import { AlertEvents } from './AlertEvents.tsx';
import { type AlertWithEvents, alertsApi } from './api.ts';
import { AlertStatusBadge, SeverityBadge } from './Badges.tsx';

/**
 * One alert: what the rule found, who handles it, the events that raised it; with
 * `alerts.manage`, acknowledge, assign and resolve while it is not resolved.
 */
export function AlertPage({ access }: { access: Access }) {
  const { orgId = access.orgId, alertId = '' } = useParams();
  const alert = useLoaded(useCallback(() => alertsApi.get(orgId, alertId), [orgId, alertId]));
  const [outcome, setOutcome] = useState<string>();
  const a = alert.data;
  const people = a
    ? [
        a.assigneeId,
        a.subjectUserId,
        a.acknowledgedBy,
        a.resolvedBy,
        ...a.events.map((e) => e.actor.id),
      ]
    : [];
  const names = useUserNames(
    orgId,
    people.filter((id): id is string => typeof id === 'string' && isUuid(id)),
    access.permissions.has('users.read'),
  );
  const inbox = `/orgs/${encodeURIComponent(orgId)}/alerts`;

  return (
    <Stack>
      <Anchor component={Link} to={inbox} size="sm">
        ← Alerts
      </Anchor>
      <LoadState error={alert.error} loading={!a} what="the alert" />
      {a && (
        <>
          <Group justify="space-between" align="flex-start">
            <Stack gap={4}>
              <Title order={2}>{a.title}</Title>
              <Group gap="xs">
                <SeverityBadge severity={a.severity} />
                <AlertStatusBadge status={a.status} />
              </Group>
            </Stack>
            {access.permissions.has('alerts.manage') && a.status !== 'resolved' && (
              <AlertActions
                orgId={orgId}
                alert={a}
                onDone={async (text) => {
                  setOutcome(text);
                  await alert.reload();
                }}
              />
            )}
          </Group>
          {outcome && (
            <Notice color="green" role="status">
              {outcome}
            </Notice>
          )}
          <AlertFacts orgId={orgId} alert={a} names={names} />
          <Title order={3} size="h4">
            What the rule found
          </Title>
          <DetailList details={a.details} />
          <Title order={3} size="h4">
            Events
          </Title>
          <AlertEvents orgId={orgId} events={a.events} eventCount={a.eventCount} names={names} />
          <Anchor component={Link} to={auditLinkOf(orgId, { targetId: a.id })}>
            Every step taken on this alert, in the audit log
          </Anchor>
        </>
      )}
    </Stack>
  );
}

const isUuid = (text: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);

function AlertFacts({
  orgId,
  alert: a,
  names,
}: {
  orgId: string;
  alert: AlertWithEvents;
  names: ReadonlyMap<string, string>;
}) {
  const who = (id: string | null) => (id ? (names.get(id) ?? id) : '—');
  const rows: [string, ReactNode][] = [
    ['Rule', a.rule],
    ['First seen', <DateTime key="first" value={a.firstSeenAt} />],
    ['Last seen', <DateTime key="last" value={a.lastSeenAt} />],
    ['Events', a.eventCount],
    [
      'User concerned',
      a.subjectUserId ? (
        <Anchor
          key="subject"
          component={Link}
          to={`/orgs/${encodeURIComponent(orgId)}/users/${encodeURIComponent(a.subjectUserId)}`}
        >
          {who(a.subjectUserId)}
        </Anchor>
      ) : (
        '—'
      ),
    ],
    ['Assignee', a.assigneeId ? who(a.assigneeId) : 'nobody'],
  ];
  if (a.acknowledgedAt)
    rows.push([
      'Acknowledged',
      <span key="acknowledged">
        <DateTime value={a.acknowledgedAt} /> by {who(a.acknowledgedBy)}
      </span>,
    ]);
  if (a.resolvedAt)
    rows.push(
      [
        'Resolved',
        <span key="resolved">
          <DateTime value={a.resolvedAt} /> by {who(a.resolvedBy)}
        </span>,
      ],
      ['Resolution note', a.resolutionNote ?? '—'],
    );
  return (
    <Table variant="vertical" withTableBorder aria-label="About the alert">
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w={200}>{label}</Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** "failedCount" → "Failed count": the details' keys as words. */
const words = (key: string) => {
  const spaced = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
};

const valueText = (value: unknown): string =>
  value === null || value === undefined
    ? '—'
    : Array.isArray(value)
      ? value.map(valueText).join(', ')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);

/** The rule's details as a list of what and value, nested objects as their own list. */
function DetailList({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return <Text c="dimmed">No details.</Text>;
  return (
    <List spacing={4} aria-label="What the rule found">
      {entries.map(([key, value]) => (
        <List.Item key={key}>
          <strong>{words(key)}</strong>:{' '}
          {value && typeof value === 'object' && !Array.isArray(value) ? (
            <DetailList details={value as Record<string, unknown>} />
          ) : (
            valueText(value)
          )}
        </List.Item>
      ))}
    </List>
  );
}
