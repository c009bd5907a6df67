import { Alert, Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { Access } from '../../access.ts';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { type UserRecord, usersApi } from './api.ts';
import { TemporaryPassword } from './TemporaryPassword.tsx';

/**
 * "Create a user": email and name, then (with `users.credentials`) a temporary password Vigil
 * draws, shown once, which the user changes at their first sign-in.
 */
export function CreateUser({
  orgId,
  access,
  onCreated,
}: {
  orgId: string;
  access: Access;
  onCreated: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<{ user: UserRecord; password?: string }>();
  return (
    <>
      <Button onClick={() => setOpen(true)}>Create a user</Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Create a user">
        <CreateUserForm
          orgId={orgId}
          withPassword={access.permissions.has('users.credentials')}
          onCreated={(result) => {
            setOpen(false);
            // With a password, the list is read again once it is handed over; without, at once.
            if (result.password) setCreated(result);
            else onCreated();
          }}
        />
      </Modal>
      {created && (
        <TemporaryPassword
          user={created.user}
          password={created.password}
          onClose={() => {
            setCreated(undefined);
            onCreated();
          }}
        />
      )}
    </>
  );
}

function CreateUserForm({
  orgId,
  withPassword,
  onCreated,
}: {
  orgId: string;
  withPassword: boolean;
  onCreated: (created: { user: UserRecord; password?: string }) => void;
}) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const { busy, refusal, send } = useSending();
  // Created, but the password was refused: the user exists; their page can set one later.
  const [createdWithout, setCreatedWithout] = useState<UserRecord>();

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      const user =
        createdWithout ??
        (await usersApi.create(orgId, { email: email.trim(), displayName: displayName.trim() }));
      setCreatedWithout(user);
      const password = withPassword
        ? (await usersApi.temporaryPassword(orgId, user.id)).temporaryPassword
        : undefined;
      onCreated({ user, password });
    });
  }

  return (
    <Stack component="form" onSubmit={submit} aria-label="Create a user" gap="sm">
      <RefusalAlert
        refusal={refusal}
        title={createdWithout ? 'Created, but no password was set' : 'Not created'}
      />
      <TextInput
        label="Email"
        type="email"
        required
        data-autofocus
        value={email}
        disabled={createdWithout !== undefined}
        onChange={(e) => setEmail(e.currentTarget.value)}
        error={fieldError(refusal, 'email')}
      />
      <TextInput
        label="Display name"
        description="How the user is shown; they can change it"
        required
        value={displayName}
        disabled={createdWithout !== undefined}
        onChange={(e) => setDisplayName(e.currentTarget.value)}
        error={fieldError(refusal, 'displayName')}
      />
      {!withPassword && (
        <Alert color="blue">
          Your roles do not set passwords: someone with the users.credentials permission gives the
          new user a temporary password from their page.
        </Alert>
      )}
      <Group justify="flex-end">
        <Button type="submit" loading={busy}>
          {createdWithout ? 'Set the temporary password' : 'Create'}
        </Button>
      </Group>
    </Stack>
  );
}
