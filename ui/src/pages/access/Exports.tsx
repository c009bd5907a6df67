import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { useDownload } from '../../components/useDownload.ts';
import { accessApi, type ExportFormat, type ExportReport } from './api.ts';

const reports: { report: ExportReport; title: string; what: string }[] = [
  {
    report: 'permission-matrix',
    title: 'Permission matrix',
    what: 'Every permission with its risk, and every role with what it grants.',
  },
  {
    report: 'user-access',
    title: 'User access',
    what: 'Every user with their status, roles, privilege, MFA and last sign-in.',
  },
];

/** The auditor's access evidence as files: the permission matrix and who holds what. */
export function Exports({ access }: { access: Access }) {
  const orgId = useParams().orgId ?? access.orgId;
  return (
    <Stack>
      <Title order={2}>Access exports</Title>
      <Text c="dimmed">
        Evidence for an access review, as of now: CSV for a spreadsheet, JSON for a program.
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {reports.map((r) => (
          <ExportCard key={r.report} orgId={orgId} {...r} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function ExportCard({
  orgId,
  report,
  title,
  what,
}: {
  orgId: string;
  report: ExportReport;
  title: string;
  what: string;
}) {
  const { download, loading, waiting, refusal } = useDownload(async (format: ExportFormat) => ({
    file: await accessApi.exportFile(orgId, report, format),
    name: `vigil-${report}-${new Date().toISOString().slice(0, 10)}.${format}`,
  }));

  return (
    <Card withBorder component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={3} size="h5">
          {title}
        </Title>
        <Text size="sm">{what}</Text>
        <RefusalAlert refusal={refusal} title="Not exported" />
        <Group>
          {(['csv', 'json'] as const).map((format) => (
            <Button
              key={format}
              variant={format === 'csv' ? 'filled' : 'default'}
              loading={loading(format)}
              disabled={waiting(format)}
              onClick={() => download(format)}
            >
              Download {format.toUpperCase()}
            </Button>
          ))}
        </Group>
      </Stack>
    </Card>
  );
}
