import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';

/**
 * Asks why before a change the audit log keeps the reason of (taking a role away, deciding a
 * request), then makes it; a refusal stays in the dialog with the problem's detail.
 */
export function ReasonDialog({
  title,
  opened,
  what,
  label,
  confirm,
  onConfirm,
  onClose,
}: {
  title: string;
  opened: boolean;
  /** What is about to happen, in a sentence. */
  what: ReactNode;
  /** The reason's label ("Reason", "Note"). */
  label: string;
  confirm: string;
  /** Makes the change; throws the API's refusal. */
  onConfirm: (reason: string) => Promise<void>;
  onClose: () => void;
}) {
  const [reason, setReason] = useState('');
  const { busy, refusal, send } = useSending();

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      await onConfirm(reason);
      setReason('');
      onClose();
    });
  }

  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <form onSubmit={submit} aria-label={title}>
        <Stack gap="sm">
          <Text size="sm">{what}</Text>
          <RefusalAlert refusal={refusal} title="Refused" />
          <TextInput
            label={label}
            description="Kept in the audit log"
            required
            data-autofocus
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={fieldError(refusal, 'reason') ?? fieldError(refusal, 'note')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {confirm}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
