import { Alert, Button, Code, CopyButton, Group, Modal, Stack } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A secret the API answers once (a client secret, an API key, a temporary password): shown in
 * this dialog with a way to copy it, and forgotten when the dialog closes — the caller drops it
 * then, so nothing in the console can show it again.
 */
export function ShownOnce({
  title,
  secret,
  what,
  notice,
  doneLabel = 'I have stored it',
  onClose,
  children,
}: {
  title: string;
  /** The secret; the dialog is closed while there is none. */
  secret: string | undefined;
  /** What it is, in words ("the client secret"). */
  what: string;
  /** What to do with it, when keeping it somewhere safe is not the whole story. */
  notice?: ReactNode;
  /** The button that closes the dialog, saying what the administrator did with the secret. */
  doneLabel?: string;
  onClose: () => void;
  /** What the secret belongs to, shown above it. */
  children?: ReactNode;
}) {
  return (
    <Modal
      opened={secret !== undefined}
      onClose={onClose}
      title={title}
      closeOnClickOutside={false}
      size="lg"
    >
      <Stack>
        {children}
        <Alert color="yellow" title="Shown once">
          {notice ??
            `Copy ${what} now and keep it somewhere safe: the console will not show it again.`}
        </Alert>
        <Code block aria-label={what}>
          {secret}
        </Code>
        <Group justify="space-between">
          <CopyButton value={secret ?? ''}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
          <Button onClick={onClose}>{doneLabel}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
