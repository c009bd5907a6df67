import { Alert, Group } from '@mantine/core';
import { useState } from 'react';
import type { Access } from '../../access.ts';
import { type UserRecord, usersApi } from './api.ts';
import { type Action, ConfirmAction } from './ConfirmAction.tsx';
import { TemporaryPassword } from './TemporaryPassword.tsx';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * What this administrator may do to the user now: only the actions their permissions allow and
 * the user's status admits are there at all.
 */
export function UserActions({
  access,
  user,
  onDone,
}: {
  access: Access;
  user: UserRecord;
  onDone: () => Promise<void>;
}) {
  const [outcome, setOutcome] = useState<string>();
  const [password, setPassword] = useState<string>();
  const { orgId, id } = user;
  const may = (permission: string) => access.permissions.has(permission);
  const gone = user.status === 'deprovisioned';

  const actions: Action[] = [];
  if (may('users.deactivate') && user.status === 'active')
    actions.push({
      label: 'Suspend',
      danger: true,
      explains:
        'The user can no longer sign in; their sessions, API keys and OAuth access end at once. Their roles stay for when they are reactivated.',
      run: async () => {
        await usersApi.changeStatus(orgId, id, 'suspend');
        return 'Suspended: every session and token of the user has ended.';
      },
    });
  if (may('users.deactivate') && user.status === 'suspended')
    actions.push({
      label: 'Reactivate',
      explains: 'The user can sign in again, with the roles they held.',
      run: async () => {
        await usersApi.changeStatus(orgId, id, 'reactivate');
        return 'Reactivated.';
      },
    });
  if (may('users.credentials') && !gone)
    actions.push(
      {
        label: 'Set a temporary password',
        explains:
          'Vigil draws a new password, shown to you once; the user changes it at their next sign-in. Their sessions end.',
        run: async () => {
          const set = await usersApi.temporaryPassword(orgId, id);
          setPassword(set.temporaryPassword);
          return `Temporary password set; ${count(set.sessionsEnded, 'session', 'sessions')} ended.`;
        },
      },
      {
        label: 'Unlock',
        explains: 'Lifts a temporary or permanent lockout of the password and second factor.',
        run: async () =>
          (await usersApi.unlock(orgId, id)).wasLocked ? 'Unlocked.' : 'The user was not locked.',
      },
      {
        label: 'Reset second factors',
        danger: true,
        asksReason: true,
        explains:
          'Removes every second factor and recovery code (a lost device) and ends the user’s sessions; where a second factor is required they enroll again at their next sign-in. Check who is asking before you do this.',
        run: async (reason) => {
          const reset = await usersApi.resetFactors(orgId, id, reason);
          return `${count(reset.removed, 'factor', 'factors')} removed; ${count(reset.sessionsEnded, 'session', 'sessions')} ended.`;
        },
      },
    );
  if (may('users.deactivate') && !gone)
    actions.push(
      {
        label: 'End sessions',
        explains:
          'Signs the user out everywhere: every session and the OAuth sessions linked to them.',
        run: async () =>
          `${count((await usersApi.endSessions(orgId, id)).ended, 'session', 'sessions')} ended.`,
      },
      {
        label: 'Forget trusted browsers',
        explains:
          'The user’s failed passwords from those browsers count on the account’s lockout counter again.',
        run: async () =>
          `${count((await usersApi.revokeDevices(orgId, id)).revoked, 'browser', 'browsers')} forgotten.`,
      },
      {
        label: 'Deprovision',
        danger: true,
        explains:
          'For good: the user can never sign in again, everything they hold ends at once and every role is removed.',
        run: async () => {
          await usersApi.changeStatus(orgId, id, 'deprovision');
          return 'Deprovisioned.';
        },
      },
    );

  if (actions.length === 0) return null;
  return (
    <>
      <Group gap="xs" role="group" aria-label="Actions">
        {actions.map((action) => (
          <ConfirmAction
            key={action.label}
            action={action}
            onDone={(said) => {
              setOutcome(said);
              void onDone();
            }}
          />
        ))}
      </Group>
      {outcome && (
        <Alert color="green" role="status" withCloseButton onClose={() => setOutcome(undefined)}>
          {outcome}
        </Alert>
      )}
      <TemporaryPassword user={user} password={password} onClose={() => setPassword(undefined)} />
    </>
  );
}
