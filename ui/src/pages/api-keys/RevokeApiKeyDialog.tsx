import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { type ApiKey, apiKeysApi } from './api.ts';

/** Revokes `apiKey` (open while there is one), with the reason the audit log keeps. */
export function RevokeApiKeyDialog({
  orgId,
  apiKey,
  onClose,
  onRevoked,
}: {
  orgId: string;
  apiKey: ApiKey | undefined;
  onClose: () => void;
  onRevoked: () => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const { busy, refusal, send, clear } = useSending();

  function close() {
    setReason('');
    clear();
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!apiKey) return;
    void send(async () => {
      await apiKeysApi.revoke(orgId, apiKey.id, reason.trim());
      setReason('');
      await onRevoked();
    });
  }

  return (
    <Modal opened={apiKey !== undefined} onClose={close} title="Revoke this API key?">
      <form onSubmit={submit} aria-label="Revoke an API key">
        <Stack gap="sm">
          <RefusalAlert refusal={refusal} title="Not revoked" />
          <Text>
            <strong>{apiKey?.name}</strong> stops working at once, for good.
          </Text>
          <Textarea
            label="Reason"
            description="Kept in the audit log"
            required
            data-autofocus
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={fieldError(refusal, 'reason')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={busy}>
              Revoke
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
