import { Button, Text, Textarea } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';

/** One action on a user, behind a dialog that says what it does (and asks why, when audited). */
export interface Action {
  label: string;
  /** What happens, in the dialog. */
  explains: ReactNode;
  /** The API asks for a reason (it is audited). */
  asksReason?: boolean;
  danger?: boolean;
  /** Runs it; answers what happened, in words, for the page. */
  run: (reason: string) => Promise<string>;
}

/** A button opening the action's confirm dialog; a refusal shows in the dialog. */
export function ConfirmAction({
  action,
  onDone,
}: {
  action: Action;
  onDone: (outcome: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  return (
    <>
      <Button
        variant={action.danger ? 'light' : 'default'}
        color={action.danger ? 'red' : undefined}
        onClick={() => setOpen(true)}
      >
        {action.label}
      </Button>
      <ConfirmDialog
        opened={open}
        title={`${action.label}?`}
        confirmLabel={action.label}
        danger={action.danger}
        onClose={() => setOpen(false)}
        onConfirm={async () => {
          const outcome = await action.run(reason.trim());
          setOpen(false);
          setReason('');
          onDone(outcome);
        }}
      >
        <Text>{action.explains}</Text>
        {action.asksReason && (
          <Textarea
            label="Reason"
            description="Recorded in the audit log"
            required
            data-autofocus
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
        )}
      </ConfirmDialog>
    </>
  );
}
