import { Button, Group, Text } from '@mantine/core';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { useDownload } from '../../components/useDownload.ts';
import { type AuditFilter, auditApi, type ExportFormat } from './api.ts';

const formats: { format: ExportFormat; label: string }[] = [
  { format: 'jsonl', label: 'Export JSON Lines' },
  { format: 'csv', label: 'Export CSV' },
];

/** Downloads every event of the filter's period (the export takes a period, not the other filters). */
export function ExportButtons({ orgId, filter }: { orgId: string; filter: AuditFilter }) {
  const { download, loading, refusal } = useDownload(async (format: ExportFormat) => ({
    file: await auditApi.exportFile(orgId, format, { from: filter.from, to: filter.to }),
    name: `audit-events-${new Date().toISOString().slice(0, 10)}.${format}`,
  }));

  return (
    <>
      <Group gap="xs">
        {formats.map(({ format, label }) => (
          <Button
            key={format}
            variant="default"
            size="xs"
            loading={loading(format)}
            onClick={() => download(format)}
          >
            {label}
          </Button>
        ))}
        <Text size="xs" c="dimmed">
          Every event of the chosen period, oldest first; the export is itself audited.
        </Text>
      </Group>
      <RefusalAlert refusal={refusal} title="Export refused" />
    </>
  );
}
