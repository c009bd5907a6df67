import { Badge, Button, Card, Code, Group, List, Loader, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { DateTime } from '../../components/DateTime.tsx';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useSending } from '../../components/useSending.ts';
import { auditApi, type VerificationRun } from './api.ts';

/**
 * Whether the log is intact, as the latest verification found it, and when that ran; "Verify
 * now" seals and checks the whole log again (docs/audit.md#verification).
 */
export function VerificationCard({ orgId }: { orgId: string }) {
  const last = useLoaded(useCallback(() => auditApi.lastVerification(orgId), [orgId]));
  const [fresh, setFresh] = useState<{ orgId: string; run: VerificationRun }>();
  const { busy, refusal, send } = useSending();
  const run = fresh?.orgId === orgId ? fresh.run : last.data;

  const verify = () =>
    send(async () => {
      setFresh({ orgId, run: await auditApi.verify(orgId) });
    });

  return (
    <Card withBorder component="section" aria-label="Tamper check">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h5">
            Tamper check
          </Title>
          <Button onClick={verify} loading={busy}>
            Verify now
          </Button>
        </Group>
        <RefusalAlert refusal={refusal} title="Verification refused" />
        <div aria-live="polite">
          {last.error && !run && (
            <Text c="red">
              The last verification could not be read: {last.error.detail ?? last.error.title}
            </Text>
          )}
          {run === undefined && !last.error && (
            <Loader size="sm" aria-label="Loading the last verification" />
          )}
          {run === null && (
            <Text c="dimmed">
              Not verified from the console yet. Verify now checks every event against its MAC and
              the signed seal blocks, and records the run in this log.
            </Text>
          )}
          {run && <RunSummary run={run} />}
        </div>
      </Stack>
    </Card>
  );
}

function RunSummary({ run }: { run: VerificationRun }) {
  return (
    <Stack gap={4}>
      <Group gap="xs">
        <Badge color={run.ok ? 'green' : 'red'} variant="filled">
          {run.ok ? 'Intact' : 'Tampering found'}
        </Badge>
        <Text size="sm">
          Last verified <DateTime value={run.ranAt} />: {run.checkedEvents} events in{' '}
          {run.sealBlocks} seal blocks
          {run.pendingEvents > 0 && `, ${run.pendingEvents} written since the last seal`}.
        </Text>
      </Group>
      <Text size="sm" c="dimmed">
        Last sealed <DateTime value={run.lastSealedAt} fallback="never" />.
      </Text>
      {run.problems.length > 0 && (
        <List size="sm" aria-label="Problems found">
          {run.problems.map((p) => (
            <List.Item key={`${p.kind}:${p.eventId ?? p.block}:${p.message}`}>
              <strong>{p.kind}</strong>: {p.message}
            </List.Item>
          ))}
        </List>
      )}
      {run.moreProblems > 0 && (
        <Text size="sm" c="red">
          And {run.moreProblems} more: <Code>vigil audit verify --json</Code> lists every one.
        </Text>
      )}
      {run.otherProblems > 0 && (
        <Text size="sm" c="red">
          {run.otherProblems} more{' '}
          {run.otherProblems === 1 ? 'problem concerns' : 'problems concern'} other organizations'
          events; the platform's operators see them with <Code>vigil audit verify</Code>.
        </Text>
      )}
    </Stack>
  );
}
