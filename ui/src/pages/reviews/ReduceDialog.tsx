import { Button, Checkbox, Group, Modal, Stack, Text } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';

/**
 * Reduce: which of the user's roles to drop at close, some but not all of them (dropping every
 * one is revoking, which the server refuses as a reduction).
 */
export function ReduceDialog({
  opened,
  subject,
  roleKeys,
  onReduce,
  onClose,
}: {
  opened: boolean;
  subject: string;
  roleKeys: string[];
  onReduce: (dropped: string[]) => Promise<void>;
  onClose: () => void;
}) {
  const [dropped, setDropped] = useState<string[]>([]);
  const { busy, refusal, send, clear } = useSending();
  const every = dropped.length === roleKeys.length;

  function close() {
    clear();
    setDropped([]);
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      await onReduce(dropped);
      setDropped([]);
    });
  }

  return (
    <Modal opened={opened} onClose={close} title="Reduce access">
      <form onSubmit={submit} aria-label="Reduce access">
        <Stack gap="sm">
          <Text size="sm">
            The roles of {subject} checked here are taken away when the campaign closes; the others
            stay.
          </Text>
          <RefusalAlert refusal={refusal} title="Refused" />
          <Checkbox.Group
            label="Roles to drop"
            value={dropped}
            onChange={setDropped}
            error={every ? 'Dropping every role is revoking: choose Revoke instead' : undefined}
          >
            <Stack gap={4} mt={4}>
              {roleKeys.map((key) => (
                <Checkbox key={key} value={key} label={key} />
              ))}
            </Stack>
          </Checkbox.Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={dropped.length === 0 || every}>
              Drop {dropped.length === 1 ? 'this role' : 'these roles'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
