import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import type { UserRecord } from './api.ts';

/**
 * A temporary password Vigil drew, shown this once: the administrator hands it over on a channel
 * they trust and the user replaces it at their first sign-in. Nothing can show it again.
 */
export function TemporaryPassword({
  user,
  password,
  onClose,
}: {
  /** The dialog is open while there is a user. */
  user: UserRecord | undefined;
  password: string | undefined;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={user !== undefined}
      onClose={onClose}
      title={password ? 'Temporary password' : 'User created'}
      closeOnClickOutside={false}
      size="lg"
    >
      {user && (
        <Stack>
          <Text>
            {user.displayName} ({user.email})
          </Text>
          {password ? (
            <>
              <Alert color="yellow" title="Shown once">
                Hand this password to the user over a channel you trust. They must change it at
                their first sign-in; Vigil keeps only its hash and will not show it again.
              </Alert>
              <Code block aria-label="Temporary password" data-secret>
                {password}
              </Code>
              <Group justify="space-between">
                <CopyButton value={password}>
                  {({ copied, copy }) => (
                    <Button variant="default" onClick={copy}>
                      {copied ? 'Copied' : 'Copy'}
                    </Button>
                  )}
                </CopyButton>
                <Button onClick={onClose}>I have handed it over</Button>
              </Group>
            </>
          ) : (
            <Group justify="flex-end">
              <Button onClick={onClose}>Close</Button>
            </Group>
          )}
        </Stack>
      )}
    </Modal>
  );
}
