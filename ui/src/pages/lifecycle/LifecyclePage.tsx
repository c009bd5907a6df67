import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { LoadState } from '../../components/LoadState.tsx';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { useDownload } from '../../components/useDownload.ts';
import { useLoaded } from '../../components/useLoaded.ts';
import { type DeprovisioningReport, lifecycleApi, type ReportFormat } from './api.ts';
import { durationText, LeaversTable } from './LeaversTable.tsx';
import { lastThirtyDays, PeriodForm, periodOf } from './PeriodForm.tsx';

/**
 * Leavers (SLA): the deprovisioning SLA report of a period (docs/lifecycle.md#sla-report) — who
 * lost access, who asked, how long it took against the organization's SLA — with its files.
 */
export function LifecyclePage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const [days, setDays] = useState(lastThirtyDays);
  const period = periodOf(days.fromDay, days.untilDay);
  const { from, to } = period;
  const report = useLoaded(
    useCallback(() => lifecycleApi.report(orgId, { from, to }), [orgId, from, to]),
  );

  return (
    <Stack>
      <Title order={2}>Leavers (SLA)</Title>
      <Text size="sm" c="dimmed">
        Every suspension and deprovisioning asked for in the period: when the directory, an
        administrator or the schedule asked, when every session, key and token was denied, and
        whether that was within the deprovisioning SLA.
      </Text>
      <PeriodForm initial={days} onApply={setDays} />
      <LoadState error={report.error} loading={!report.data} what="the leavers' report" />
      {report.data && <Totals report={report.data} />}
      {report.data && <Downloads orgId={orgId} days={days} />}
      {report.data && <LeaversTable rows={report.data.items} />}
    </Stack>
  );
}

function Totals({ report }: { report: DeprovisioningReport }) {
  const { totals } = report;
  const figures = [
    { label: 'Leavers', value: String(totals.count) },
    { label: 'Met the SLA', value: String(totals.met) },
    { label: 'Missed the SLA', value: String(totals.missed) },
    { label: 'Pending', value: String(totals.pending) },
    { label: 'Median time', value: durationText(totals.p50DurationSeconds) },
    { label: 'Longest', value: durationText(totals.maxDurationSeconds) },
  ];
  return (
    <SimpleGrid cols={{ base: 2, md: 6 }} component="dl" aria-label="Totals">
      {figures.map((f) => (
        <Card key={f.label} withBorder padding="sm">
          <Text component="dt" size="xs" c="dimmed">
            {f.label}
          </Text>
          <Text component="dd" size="xl" fw={600} m={0}>
            {f.value}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}

function Downloads({
  orgId,
  days,
}: {
  orgId: string;
  days: { fromDay: string; untilDay: string };
}) {
  const { download, loading, waiting, refusal } = useDownload(async (format: ReportFormat) => ({
    file: await lifecycleApi.reportFile(orgId, periodOf(days.fromDay, days.untilDay), format),
    name: `deprovisioning-report-${days.fromDay}-${days.untilDay}.${format}`,
  }));

  return (
    <>
      <Group gap="xs">
        {(['csv', 'json'] as const).map((format) => (
          <Button
            key={format}
            variant="default"
            size="xs"
            loading={loading(format)}
            disabled={waiting(format)}
            onClick={() => download(format)}
          >
            Download {format.toUpperCase()}
          </Button>
        ))}
      </Group>
      <RefusalAlert refusal={refusal} title="Not downloaded" />
    </>
  );
}
