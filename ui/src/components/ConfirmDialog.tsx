import { Button, Group, Modal, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { RefusalAlert } from './Refusal.tsx';
import { useSending } from './useSending.ts';

/**
 * Asks before a change that cannot be taken back (disable a client, rotate its secret), makes it,
 * and shows the API's refusal in place when it is refused.
 */
export function ConfirmDialog({
  opened,
  title,
  children,
  confirmLabel,
  danger = false,
  onConfirm,
  onClose,
}: {
  opened: boolean;
  title: string;
  /** What will happen, in words. */
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const { busy, refusal, send, clear } = useSending();

  function close() {
    clear();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title={title}>
      <Stack>
        <RefusalAlert refusal={refusal} title="Refused" />
        {children}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button color={danger ? 'red' : undefined} loading={busy} onClick={() => send(onConfirm)}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
