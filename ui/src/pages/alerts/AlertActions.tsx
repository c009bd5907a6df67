import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { UserPicker } from '../access/UserPicker.tsx';
import { type Alert, alertsApi } from './api.ts';

type Asking = 'acknowledge' | 'assign' | 'resolve' | undefined;

/**
 * What a holder of `alerts.manage` does with an unresolved alert: acknowledge it (while open),
 * give it to someone, resolve it with the note the audit log keeps. `onDone` says what happened.
 */
export function AlertActions({
  orgId,
  alert,
  onDone,
}: {
  orgId: string;
  alert: Alert;
  onDone: (outcome: string) => Promise<void>;
}) {
  const [asking, setAsking] = useState<Asking>();
  const close = () => setAsking(undefined);
  const done = async (outcome: string) => {
    close();
    await onDone(outcome);
  };
  return (
    <Group role="group" aria-label="Actions">
      {alert.status === 'open' && (
        <Button variant="default" onClick={() => setAsking('acknowledge')}>
          Acknowledge
        </Button>
      )}
      <Button variant="default" onClick={() => setAsking('assign')}>
        Assign…
      </Button>
      <Button onClick={() => setAsking('resolve')}>Resolve…</Button>
      <ConfirmDialog
        opened={asking === 'acknowledge'}
        title="Acknowledge the alert?"
        confirmLabel="Acknowledge"
        onConfirm={async () => {
          await alertsApi.acknowledge(orgId, alert.id);
          await done('Acknowledged.');
        }}
        onClose={close}
      >
        <Text>
          Says that someone has seen it and is on it. It stays in the inbox until it is resolved.
        </Text>
      </ConfirmDialog>
      {asking === 'assign' && (
        <AssignDialog orgId={orgId} alert={alert} onClose={close} onAssigned={done} />
      )}
      {asking === 'resolve' && (
        <ResolveDialog orgId={orgId} alert={alert} onClose={close} onResolved={done} />
      )}
    </Group>
  );
}

function AssignDialog({
  orgId,
  alert,
  onClose,
  onAssigned,
}: {
  orgId: string;
  alert: Alert;
  onClose: () => void;
  onAssigned: (outcome: string) => Promise<void>;
}) {
  const [assigneeId, setAssigneeId] = useState<string | null>(null);
  const { busy, refusal, send } = useSending();
  const assign = (to: string | null) =>
    send(async () => {
      await alertsApi.assign(orgId, alert.id, to);
      await onAssigned(to ? 'Assigned.' : 'Unassigned.');
    });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (assigneeId) void assign(assigneeId);
  }

  return (
    <Modal opened onClose={onClose} title="Assign the alert">
      <form onSubmit={submit} aria-label="Assign the alert">
        <Stack gap="sm">
          <RefusalAlert refusal={refusal} title="Not assigned" />
          <UserPicker
            orgId={orgId}
            value={assigneeId}
            onChange={setAssigneeId}
            error={fieldError(refusal, 'assigneeId')}
          />
          <Group justify="flex-end">
            {alert.assigneeId && (
              <Button variant="subtle" color="red" loading={busy} onClick={() => assign(null)}>
                Unassign
              </Button>
            )}
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!assigneeId}>
              Assign
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ResolveDialog({
  orgId,
  alert,
  onClose,
  onResolved,
}: {
  orgId: string;
  alert: Alert;
  onClose: () => void;
  onResolved: (outcome: string) => Promise<void>;
}) {
  const [note, setNote] = useState('');
  const { busy, refusal, send } = useSending();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!note.trim()) return;
    void send(async () => {
      await alertsApi.resolve(orgId, alert.id, note.trim());
      await onResolved('Resolved.');
    });
  }

  return (
    <Modal opened onClose={onClose} title="Resolve the alert">
      <form onSubmit={submit} aria-label="Resolve the alert">
        <Stack gap="sm">
          <RefusalAlert refusal={refusal} title="Not resolved" />
          <Text size="sm">
            A resolved alert is read-only. Later events of the same kind raise a new one.
          </Text>
          <Textarea
            label="Note"
            description="What was found and done; kept in the audit log"
            required
            data-autofocus
            autosize
            minRows={3}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            error={fieldError(refusal, 'note')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!note.trim()}>
              Resolve
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
