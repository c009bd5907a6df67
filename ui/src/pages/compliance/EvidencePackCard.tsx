import { Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { saveFile } from '../../components/saveFile.ts';
import { useSending } from '../../components/useSending.ts';
import { complianceApi } from './api.ts';
import { lastFullQuarter } from './period.ts';

/**
 * The signed evidence pack of an audit period (docs/compliance.md#evidence-packs), for a holder
 * of `compliance.export`: the period's days (the last full quarter to begin with), downloaded as
 * a ZIP with the user's token. A refused period shows the API's problem.
 */
export function EvidencePackCard({ orgId }: { orgId: string }) {
  const [period, setPeriod] = useState(lastFullQuarter);
  const [saved, setSaved] = useState<string>();
  const { busy, refusal, send } = useSending();

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(undefined);
    void send(async () => {
      const { file, name } = await complianceApi.evidencePack(orgId, period);
      saveFile(file, name);
      setSaved(name);
    });
  }

  return (
    <Card withBorder component="section" aria-labelledby="evidence-pack-title">
      <Stack gap="sm">
        <Title order={3} size="h5" id="evidence-pack-title">
          Evidence pack
        </Title>
        <Text size="sm" c="dimmed">
          Every control's results, the policies, access, reviews, leavers, alerts and a sample of
          audit events of the period, signed with the audit seal key; it verifies offline with the
          verify.mjs inside. The export is itself audited.
        </Text>
        <form onSubmit={submit} aria-label="Evidence pack period">
          <Group align="flex-start" gap="sm">
            <TextInput
              label="From"
              type="date"
              required
              value={period.from}
              error={fieldError(refusal, 'from')}
              onChange={(e) => setPeriod({ ...period, from: e.currentTarget.value })}
            />
            <TextInput
              label="To (included)"
              type="date"
              required
              value={period.to}
              error={fieldError(refusal, 'to')}
              onChange={(e) => setPeriod({ ...period, to: e.currentTarget.value })}
            />
            <Button type="submit" loading={busy} mt={25}>
              Export evidence pack
            </Button>
          </Group>
        </form>
        <RefusalAlert refusal={refusal} title="Evidence pack not exported" />
        {saved && (
          <Text size="sm" role="status">
            Downloaded as {saved}.
          </Text>
        )}
      </Stack>
    </Card>
  );
}
