import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { UserPicker } from '../access/UserPicker.tsx';
import { type ReviewItem, reviewsApi } from './api.ts';
import { heldLabel } from './ItemParts.tsx';

/**
 * Gives an item another reviewer, with the reason the audit log keeps. Never its subject: the
 * server refuses that (`review.self_review`) and the refusal shows here.
 */
export function ReassignDialog({
  orgId,
  item,
  onClose,
  onReassigned,
}: {
  orgId: string;
  item: ReviewItem;
  onClose: () => void;
  onReassigned: () => void;
}) {
  const [reviewerId, setReviewerId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const { busy, refusal, send } = useSending();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!reviewerId) return;
    void send(async () => {
      await reviewsApi.reassign(orgId, item.id, reviewerId, reason);
      onReassigned();
    });
  }

  return (
    <Modal opened onClose={onClose} title="Reassign the item">
      <form onSubmit={submit} aria-label="Reassign the item">
        <Stack gap="sm">
          <Text size="sm">
            {item.subject.email}: {heldLabel(item)}. Now reviewed by{' '}
            {item.reviewer?.email ?? 'nobody'}.
          </Text>
          <RefusalAlert refusal={refusal} title="Not reassigned" />
          <UserPicker
            orgId={orgId}
            value={reviewerId}
            onChange={setReviewerId}
            error={fieldError(refusal, 'reviewerId')}
          />
          <TextInput
            label="Reason"
            description="Kept in the audit log"
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={fieldError(refusal, 'reason')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!reviewerId}>
              Reassign
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
