import { Button, Group, Modal, NumberInput, Stack, TextInput } from '@mantine/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { fieldError, type Refusal, RefusalAlert } from './Refusal.tsx';
import { useSending } from './useSending.ts';

/**
 * The form that makes a bearer credential (an API key, a SCIM token): a name, a lifetime in days,
 * and what the kind adds (`fields`, after the name; `notice`, before the buttons). `create` sends
 * it; the token it answers goes to `onCreated`, which shows it once.
 */
export function CreateCredentialDialog({
  title,
  size,
  nameDescription,
  defaultDays,
  maxDays,
  daysDescription,
  opened,
  fields,
  notice,
  onReset,
  create,
  onClose,
  onCreated,
}: {
  title: string;
  size?: string;
  nameDescription: string;
  defaultDays: number;
  maxDays: number;
  daysDescription: string;
  opened: boolean;
  fields?: (refusal: Refusal | undefined) => ReactNode;
  notice?: ReactNode;
  /** Clears the kind's own fields when the form is closed or has sent. */
  onReset?: () => void;
  create: (input: { name: string; expiresInDays: number }) => Promise<{ token: string }>;
  onClose: () => void;
  onCreated: (token: string) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [days, setDays] = useState<number | string>(defaultDays);
  const { busy, refusal, send, clear } = useSending();

  function reset() {
    setName('');
    setDays(defaultDays);
    onReset?.();
  }

  function close() {
    reset();
    clear();
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      const answer = await create({ name: name.trim(), expiresInDays: Number(days) });
      reset();
      await onCreated(answer.token);
    });
  }

  return (
    <Modal opened={opened} onClose={close} title={title} size={size}>
      <form onSubmit={submit} aria-label={title}>
        <Stack gap="sm">
          <RefusalAlert refusal={refusal} title="Not created" />
          <TextInput
            label="Name"
            description={nameDescription}
            required
            data-autofocus
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(refusal, 'name')}
          />
          {fields?.(refusal)}
          <NumberInput
            label="Expires after (days)"
            description={daysDescription}
            required
            min={1}
            max={maxDays}
            allowDecimal={false}
            value={days}
            onChange={setDays}
            error={fieldError(refusal, 'expiresInDays')}
          />
          {notice}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
