import { Alert, Button, Center, Stack } from '@mantine/core';
import { signOut } from '../auth.ts';

/** A signed-in user without any administrative permission: no console, and why. */
export function NoConsole({ email }: { email: string | undefined }) {
  return (
    <Center h="100vh" p="md">
      <Stack maw={520}>
        <Alert color="yellow" title="No admin console for this account" role="alert">
          {email ?? 'This account'} holds no administrative role, so there is nothing here for it.
          An administrator of your organization can give you a role; your own account is at{' '}
          <a href="/account">/account</a>.
        </Alert>
        <Button variant="default" onClick={() => void signOut()}>
          Sign out
        </Button>
      </Stack>
    </Center>
  );
}
