import { Button, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { api, type Organization } from '../api.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';

/**
 * Suspend or Reactivate, behind a confirm dialog that asks why (the audit log keeps it): a
 * suspension signs every user of the organization out at once (docs/admin-api.md).
 */
export function OrganizationStatusAction({
  org,
  onChanged,
}: {
  org: Organization;
  onChanged: () => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const suspending = org.status === 'active';
  const label = suspending ? 'Suspend' : 'Reactivate';

  function close() {
    setOpen(false);
    setReason('');
  }

  return (
    <>
      <Button
        size="xs"
        variant={suspending ? 'light' : 'default'}
        color={suspending ? 'red' : undefined}
        aria-label={`${label} ${org.name}`}
        onClick={() => setOpen(true)}
      >
        {label}
      </Button>
      <ConfirmDialog
        opened={open}
        title={`${label} ${org.name}?`}
        confirmLabel={label}
        danger={suspending}
        onClose={close}
        onConfirm={async () => {
          await api.setOrganizationStatus(
            org.id,
            suspending ? 'suspend' : 'reactivate',
            reason.trim(),
          );
          close();
          await onChanged();
        }}
      >
        <Text>
          {suspending
            ? 'Every user of this organization is signed out at once. Until it is reactivated, none of them can sign in, and its API keys are refused.'
            : 'Its users can sign in again and its API keys work again. Ended sessions and revoked tokens stay so.'}
        </Text>
        <Textarea
          label="Reason"
          description="Kept in the audit log"
          required={suspending}
          data-autofocus
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
        />
      </ConfirmDialog>
    </>
  );
}
