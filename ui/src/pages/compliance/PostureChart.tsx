import { Box, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { complianceApi, type PostureDay } from './api.ts';
import { lastDays } from './period.ts';

const dayCount = 90;

/** Each part of a day's bar, bottom up: its count, its name, and its colour (a second cue). */
const parts = [
  { key: 'fail', label: 'Failing', color: 'var(--mantine-color-red-filled)' },
  { key: 'pass', label: 'Passing', color: 'var(--mantine-color-green-filled)' },
  { key: 'notApplicable', label: 'Not applicable', color: 'var(--mantine-color-gray-5)' },
  { key: 'unchecked', label: 'Not checked', color: 'var(--mantine-color-yellow-3)' },
] as const;

const barWidth = 8;
const chartHeight = 120;

/**
 * The posture of the last 90 days: per day, how many controls passed, failed, did not apply or
 * were not checked yet. The chart is a picture with a sentence for screen readers; the same
 * figures are a table one click away. `refreshed` reads it again (after a run).
 */
export function PostureChart({ orgId, refreshed }: { orgId: string; refreshed: string | null }) {
  const posture = useLoaded(
    // `refreshed` changes after a run: today's counts with it.
    // biome-ignore lint/correctness/useExhaustiveDependencies: read again on purpose
    useCallback(() => complianceApi.posture(orgId, lastDays(dayCount)), [orgId, refreshed]),
  );
  const [asTable, setAsTable] = useState(false);
  return (
    <Card withBorder component="section" aria-labelledby="posture-title">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h5" id="posture-title">
            Posture over the last {dayCount} days
          </Title>
          {posture.data && (
            <Button variant="default" size="xs" onClick={() => setAsTable((t) => !t)}>
              {asTable ? 'Show as a chart' : 'Show as a table'}
            </Button>
          )}
        </Group>
        <LoadState error={posture.error} loading={!posture.data} what="the posture" />
        {posture.data &&
          (asTable ? <PostureTable days={posture.data} /> : <Chart days={posture.data} />)}
      </Stack>
    </Card>
  );
}

const checked = (d: PostureDay) => d.pass + d.fail + d.notApplicable;

/** In words: how many days had a failing control, and where the last day ended. */
function sentenceOf(days: PostureDay[]): string {
  const failing = days.filter((d) => d.fail > 0).length;
  const last = days.at(-1);
  const today = last
    ? ` On ${last.day}: ${last.pass} passing, ${last.fail} failing, ${last.notApplicable} not applicable, ${last.unchecked} not checked.`
    : '';
  if (!days.some((d) => checked(d) > 0)) return `No control was checked in these days.${today}`;
  return `${failing} of ${days.length} days ended with a failing control.${today}`;
}

function Chart({ days }: { days: PostureDay[] }) {
  const most = Math.max(1, ...days.map((d) => checked(d) + d.unchecked));
  const width = days.length * barWidth;
  return (
    <Stack gap="xs">
      <Text size="sm">{sentenceOf(days)}</Text>
      <svg
        viewBox={`0 0 ${width} ${chartHeight}`}
        preserveAspectRatio="none"
        width="100%"
        height={chartHeight}
        role="img"
      >
        <title>{`Controls by status per day, ${days[0]?.day} to ${days.at(-1)?.day} (hover a bar for its day)`}</title>
        {days.map((d, i) => {
          // A day before any check is left empty: nothing was known of it.
          if (checked(d) === 0) return null;
          let top = chartHeight;
          return (
            <g key={d.day}>
              <title>
                {`${d.day}: ${d.pass} passing, ${d.fail} failing, ${d.notApplicable} not applicable, ${d.unchecked} not checked`}
              </title>
              {parts.map(({ key, color }) => {
                const height = (d[key] / most) * chartHeight;
                top -= height;
                return height > 0 ? (
                  <rect
                    key={key}
                    x={i * barWidth + 1}
                    y={top}
                    width={barWidth - 2}
                    height={height}
                    style={{ fill: color }}
                  />
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <Group gap="md" aria-hidden="true">
        <Text size="xs" c="dimmed">
          {days[0]?.day}
        </Text>
        {parts.map(({ key, label, color }) => (
          <Group key={key} gap={4}>
            <Box component="span" w={10} h={10} display="inline-block" bg={color} />
            <Text size="xs">{label}</Text>
          </Group>
        ))}
        <Text size="xs" c="dimmed">
          {days.at(-1)?.day}
        </Text>
      </Group>
    </Stack>
  );
}

/** The days with any result, newest first. */
function PostureTable({ days }: { days: PostureDay[] }) {
  const shown = days.filter((d) => checked(d) > 0).reverse();
  if (shown.length === 0) return <Text c="dimmed">No control was checked in these days.</Text>;
  return (
    <Table striped aria-label="Posture by day">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Day</Table.Th>
          {parts.map((p) => (
            <Table.Th key={p.key}>{p.label}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {shown.map((d) => (
          <Table.Tr key={d.day}>
            <Table.Td>{d.day}</Table.Td>
            {parts.map((p) => (
              <Table.Td key={p.key}>{d[p.key]}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
