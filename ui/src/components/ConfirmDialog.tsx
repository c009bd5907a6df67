import { Button, Group, Modal, Stack } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { type Refusal, RefusalAlert, refusalOf } from './Refusal.tsx';

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
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal>();

  function close() {
    setRefusal(undefined);
    onClose();
  }

  async function confirm() {
    setBusy(true);
    setRefusal(undefined);
    try {
      await onConfirm();
    } catch (err) {
      setRefusal(refusalOf(err));
    } finally {
      setBusy(false);
    }
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
          <Button color={danger ? 'red' : undefined} loading={busy} onClick={confirm}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
