import { Badge, Table, Text } from '@mantine/core';
import { DateTime } from '../../components/DateTime.tsx';
import type { LeaverRow, SlaOutcome } from './api.ts';

const outcomeColor: Record<SlaOutcome, string> = { met: 'green', missed: 'red', pending: 'yellow' };
const sourceLabel: Record<LeaverRow['source'], string> = {
  admin: 'Administrator',
  scim: 'Directory (SCIM)',
  schedule: 'End date',
  dormant: 'Dormant account',
  review: 'Access review',
};

/** A duration in words an auditor reads at a glance: "42 s", "3 min", "5.5 h", "2.1 days". */
export function durationText(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/** Who asked, by name where Vigil knows one. */
function requester(row: LeaverRow): string {
  const { type, id, name } = row.requestedBy;
  if (type === 'operator') return 'The operator (CLI)';
  if (type === 'system') return 'Vigil (schedule)';
  return name ?? id ?? type;
}

/** Every leaver of the period, oldest request first, with the SLA outcome as a badge. */
export function LeaversTable({ rows }: { rows: LeaverRow[] }) {
  if (rows.length === 0)
    return <Text c="dimmed">Nobody was suspended or deprovisioned in this period.</Text>;
  return (
    <Table striped aria-label="Leavers">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>User</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Asked by</Table.Th>
          <Table.Th>Asked</Table.Th>
          <Table.Th>Everything denied</Table.Th>
          <Table.Th>Took</Table.Th>
          <Table.Th>SLA</Table.Th>
          <Table.Th>Outcome</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={`${row.user.id}-${row.requestedAt}`}>
            <Table.Td>
              <Text size="sm">{row.user.displayName}</Text>
              <Text size="xs" c="dimmed">
                {row.user.email}
              </Text>
            </Table.Td>
            <Table.Td>{row.status}</Table.Td>
            <Table.Td>
              <Text size="sm">{requester(row)}</Text>
              <Text size="xs" c="dimmed">
                {sourceLabel[row.source]}
              </Text>
            </Table.Td>
            <Table.Td>
              <DateTime value={row.requestedAt} />
            </Table.Td>
            <Table.Td>
              <DateTime value={row.completedAt} fallback="not yet (OAuth access stands)" />
            </Table.Td>
            <Table.Td>{durationText(row.durationSeconds)}</Table.Td>
            <Table.Td>{row.slaHours} h</Table.Td>
            <Table.Td>
              <Badge color={outcomeColor[row.outcome]} variant="light">
                {row.outcome}
              </Badge>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
