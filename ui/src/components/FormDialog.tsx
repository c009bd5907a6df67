import { Button, Group, Modal, type ModalProps, Stack } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { type Refusal, RefusalAlert } from './Refusal.tsx';

/**
 * A dialog around one form that changes something: the API's refusal above the fields, Cancel
 * and the submit button below. The form is named by the dialog's title.
 */
export function FormDialog({
  title,
  submitLabel,
  refusalTitle = 'Not saved',
  size,
  busy,
  refusal,
  onSubmit,
  onClose,
  children,
}: {
  title: string;
  submitLabel: string;
  refusalTitle?: string;
  size?: ModalProps['size'];
  busy: boolean;
  refusal: Refusal | undefined;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit();
  }
  return (
    <Modal opened onClose={onClose} title={title} size={size}>
      <form onSubmit={submit} aria-label={title}>
        <Stack gap="sm">
          <RefusalAlert refusal={refusal} title={refusalTitle} />
          {children}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
