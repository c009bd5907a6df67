import { Alert, Button, Code, CopyButton, Group, Modal, Stack } from '@mantine/core';

/**
 * A secret the API answers once (a client secret, an API key): shown in this dialog with a way
 * to copy it, and forgotten when the dialog closes — the caller drops it then, so nothing in the
 * console can show it again.
 */
export function ShownOnce({
  title,
  secret,
  what,
  onClose,
}: {
  title: string;
  /** The secret; the dialog is closed while there is none. */
  secret: string | undefined;
  /** What it is, in words ("the client secret"). */
  what: string;
  onClose: () => void;
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
        <Alert color="yellow" title="Shown once">
          Copy {what} now and keep it somewhere safe: the console will not show it again.
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
          <Button onClick={onClose}>I have stored it</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
