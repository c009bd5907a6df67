import { Text } from '@mantine/core';
import { ShownOnce } from '../../components/ShownOnce.tsx';
import type { UserRecord } from './api.ts';

/**
 * A temporary password Vigil drew for `user`, shown this once: the administrator hands it over on
 * a channel they trust and the user replaces it at their first sign-in.
 */
export function TemporaryPassword({
  user,
  password,
  onClose,
}: {
  user: UserRecord;
  /** The dialog is open while there is one. */
  password: string | undefined;
  onClose: () => void;
}) {
  return (
    <ShownOnce
      title="Temporary password"
      secret={password}
      what="the temporary password"
      notice="Hand this password to the user over a channel you trust. They must change it at their first sign-in; Vigil keeps only its hash and will not show it again."
      doneLabel="I have handed it over"
      onClose={onClose}
    >
      <Text>
        {user.displayName} ({user.email})
      </Text>
    </ShownOnce>
  );
}
