import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useSending } from '../../components/useSending.ts';
import { type ControlsAnswer, complianceApi } from './api.ts';
import { ControlList } from './ControlList.tsx';
import { EvidencePackCard } from './EvidencePackCard.tsx';
import { PostureChart } from './PostureChart.tsx';

/**
 * The compliance center (`compliance.read`, docs/compliance.md): the SOC 2 controls with their
 * live checks' results, the posture over time and, for a holder of `compliance.export`, the
 * evidence pack of an audit period. In the platform organization the controls are the
 * installation's own (keys, TLS, the database).
 */
export function CompliancePage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const loaded = useLoaded(useCallback(() => complianceApi.controls(orgId), [orgId]));
  // A run answers the controls anew: shown until the page is read again.
  const [ran, setRan] = useState<{ orgId: string; answer: ControlsAnswer }>();
  const { busy, refusal, send } = useSending();
  const answer = ran?.orgId === orgId ? ran.answer : loaded.data;

  const runNow = () =>
    send(async () => {
      setRan({ orgId, answer: await complianceApi.run(orgId) });
    });

  return (
    <Stack>
      <Title order={2}>Compliance</Title>
      <Text size="sm" c="dimmed">
        Each SOC 2 control of the identity checklist with the live check Vigil runs against this
        organization on a schedule: what it found, every exception, and since when. A change of
        result is recorded in the audit log.
      </Text>
      <LoadState error={answer ? undefined : loaded.error} loading={!answer} what="the controls" />
      {answer && (
        <>
          <Summary answer={answer} busy={busy} onRun={runNow} />
          <RefusalAlert refusal={refusal} title="The checks did not run" />
          <ControlList
            orgId={orgId}
            controls={answer.controls}
            criteria={answer.criteria}
            lastRunAt={answer.lastRunAt}
            linksUsers={access.permissions.has('users.read')}
          />
          <PostureChart orgId={orgId} refreshed={answer.lastRunAt} />
        </>
      )}
      {answer && access.permissions.has('compliance.export') && <EvidencePackCard orgId={orgId} />}
    </Stack>
  );
}

function Summary({
  answer,
  busy,
  onRun,
}: {
  answer: ControlsAnswer;
  busy: boolean;
  onRun: () => void;
}) {
  const count = (status: string | null) =>
    answer.controls.filter((c) => (c.result?.status ?? null) === status).length;
  const figures = [
    { label: 'Passing', value: count('pass') },
    { label: 'Failing', value: count('fail') },
    { label: 'Not applicable', value: count('not_applicable') },
    { label: 'Not checked', value: count(null) },
  ];
  return (
    <Card withBorder component="section" aria-label="Summary">
      <Stack gap="sm">
        <Group justify="space-between">
          <Text size="sm" aria-live="polite">
            {answer.controls.length} controls. Last run{' '}
            <DateTime value={answer.lastRunAt} fallback="never" />.
          </Text>
          <Button onClick={onRun} loading={busy}>
            Run checks now
          </Button>
        </Group>
        <SimpleGrid cols={{ base: 2, md: 4 }} component="dl" aria-label="Controls by status" m={0}>
          {figures.map((f) => (
            <div key={f.label}>
              <Text component="dt" size="xs" c="dimmed">
                {f.label}
              </Text>
              <Text component="dd" size="xl" fw={600} m={0}>
                {f.value}
              </Text>
            </div>
          ))}
        </SimpleGrid>
      </Stack>
    </Card>
  );
}
