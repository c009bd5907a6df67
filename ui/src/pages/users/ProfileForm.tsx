import { Button, Card, Group, Stack, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { Versioned } from '../../api.ts';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { type UserRecord, usersApi } from './api.ts';

/**
 * Email and display name, saved with the ETag read (If-Match): a change someone else saved in
 * between is refused (412), and the form says so instead of overwriting it.
 */
export function ProfileForm({
  user,
  onSaved,
}: {
  user: Versioned<UserRecord>;
  onSaved: (saved: Versioned<UserRecord>) => void;
}) {
  const [email, setEmail] = useState(user.body.email);
  const [displayName, setDisplayName] = useState(user.body.displayName);
  const { busy, refusal, send } = useSending();
  const [saved, setSaved] = useState(false);

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const change = {
      ...(email.trim() !== user.body.email && { email: email.trim() }),
      ...(displayName.trim() !== user.body.displayName && { displayName: displayName.trim() }),
    };
    void send(async () => {
      onSaved(await usersApi.update(user.body.orgId, user.body.id, change, user.etag));
      setSaved(true);
    });
  }

  const unchanged =
    email.trim() === user.body.email && displayName.trim() === user.body.displayName;
  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="Profile">
      <Stack gap="sm">
        <Title order={3} size="h5">
          Profile
        </Title>
        <RefusalAlert refusal={refusal} title="Not saved" />
        <Group align="flex-start" grow>
          <TextInput
            label="Email"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={fieldError(refusal, 'email')}
          />
          <TextInput
            label="Display name"
            required
            value={displayName}
            onChange={(e) => setDisplayName(e.currentTarget.value)}
            error={fieldError(refusal, 'displayName')}
          />
        </Group>
        <Group>
          <Button type="submit" loading={busy} disabled={unchanged}>
            Save
          </Button>
          {saved && unchanged && (
            <span role="status" aria-live="polite">
              Saved.
            </span>
          )}
        </Group>
      </Stack>
    </Card>
  );
}
