import { Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useCallback, useState } from 'react';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useSending } from '../../components/useSending.ts';
import { type UserRecord, usersApi } from './api.ts';

/** An instant as a `datetime-local` value in the browser's time zone ("2027-03-31T19:00"). */
function localInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The user's end date (docs/lifecycle.md#end-dates): the lifecycle schedule deprovisions them at
 * that time (a past one at its next round). Whoever may deactivate users sets or clears it; the
 * time is typed in the browser's time zone and sent as an instant.
 */
export function EndDateCard({
  user,
  canChange,
  onChanged,
}: {
  user: UserRecord;
  canChange: boolean;
  onChanged: () => Promise<void>;
}) {
  const load = useCallback(() => usersApi.endDate(user.orgId, user.id), [user.orgId, user.id]);
  const { data, error, reload } = useLoaded(load);
  const [typed, setTyped] = useState('');
  const { busy, refusal, send } = useSending();

  const save = (endAt: string | null) =>
    void send(async () => {
      await usersApi.setEndDate(user.orgId, user.id, endAt);
      setTyped('');
      await reload();
      await onChanged();
    });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (typed) save(new Date(typed).toISOString());
  }

  const editable = canChange && user.status !== 'deprovisioned';
  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="End date">
      <Stack gap="sm">
        <Title order={3} size="h5">
          End date
        </Title>
        <LoadState error={error} loading={!data && !error} what="the end date" />
        {data && (
          <Text size="sm">
            {data.endAt ? (
              <>
                Ends <DateTime value={data.endAt} />: the lifecycle schedule deprovisions this user
                then.
              </>
            ) : (
              'No end date.'
            )}
          </Text>
        )}
        {editable && (
          <>
            <RefusalAlert refusal={refusal} title="Not saved" />
            <Group align="flex-end">
              <TextInput
                type="datetime-local"
                label={data?.endAt ? 'Move the end date to' : 'Set an end date'}
                description="Your time zone; a time already past deprovisions at the next round"
                value={typed || (data?.endAt ? localInput(data.endAt) : '')}
                onChange={(e) => setTyped(e.currentTarget.value)}
                error={fieldError(refusal, 'endAt')}
              />
              <Button type="submit" loading={busy} disabled={!typed}>
                Save end date
              </Button>
              {data?.endAt && (
                <Button variant="default" loading={busy} onClick={() => save(null)}>
                  Clear end date
                </Button>
              )}
            </Group>
          </>
        )}
      </Stack>
    </Card>
  );
}
