import { Badge, Card, Code, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback } from 'react';
import { request } from '../../api.ts';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';

/** One archived month of the audit log (docs/audit.md#retention-and-archives). */
interface AuditArchive {
  /** YYYY-MM (UTC). */
  month: string;
  status: 'archived' | 'dropped' | 'restored' | 'purged';
  location: string;
  sha256: string;
  eventCount: number;
  archivedAt: string;
  droppedAt: string | null;
  restoredAt: string | null;
  purgedAt: string | null;
}

const statusInfo: Record<AuditArchive['status'], { label: string; color: string }> = {
  archived: { label: 'archived, still in the database', color: 'blue' },
  dropped: { label: 'archived only', color: 'gray' },
  restored: { label: 'restored for an investigation', color: 'yellow' },
  purged: { label: 'purged after retention', color: 'red' },
};

const readArchives = async (orgId: string) =>
  (await request<{ items: AuditArchive[] }>(`/orgs/${encodeURIComponent(orgId)}/audit-archives`))
    .body.items;

/**
 * The months of the audit log written to archive files, for the platform's operators
 * (`platform.settings`): where each is, its hash, and whether it is still in the database.
 */
export function ArchivesCard({ orgId }: { orgId: string }) {
  const archives = useLoaded(useCallback(() => readArchives(orgId), [orgId]));
  return (
    <Card withBorder component="section" aria-label="Archives">
      <Stack gap="xs">
        <Title order={3} size="h5">
          Archives
        </Title>
        <Text size="sm" c="dimmed">
          Months past the hot period are written to compressed files with the seal blocks that cover
          them, verified, then dropped from the database. <Code>vigil audit verify --archive</Code>{' '}
          checks them offline; <Code>vigil audit restore</Code> brings a month back.
        </Text>
        <LoadState error={archives.error} loading={!archives.data} what="the archives" />
        {archives.data?.length === 0 && <Text c="dimmed">No month archived yet.</Text>}
        {archives.data && archives.data.length > 0 && (
          <Table striped aria-label="Audit archives">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Month</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Events</Table.Th>
                <Table.Th>Archived</Table.Th>
                <Table.Th>Where</Table.Th>
                <Table.Th>SHA-256</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {archives.data.map((a) => (
                <Table.Tr key={a.month}>
                  <Table.Td>{a.month}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={statusInfo[a.status]?.color ?? 'gray'}>
                      {statusInfo[a.status]?.label ?? a.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{a.eventCount}</Table.Td>
                  <Table.Td>
                    <DateTime value={a.archivedAt} />
                  </Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{a.location}</Table.Td>
                  <Table.Td>
                    <Code title={a.sha256}>{a.sha256.slice(0, 12)}…</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
