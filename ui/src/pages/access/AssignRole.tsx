import { Alert, Button, Card, Group, SimpleGrid, Stack, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { type AssignOutcome, accessApi, type RoleDetail } from './api.ts';
import { emptyGrant, GrantFields, grantBody } from './GrantFields.tsx';
import { UserPicker } from './UserPicker.tsx';

/** Give a user a role, with a reason and an optional expiry: at once, or as a request. */
export function AssignRole({
  orgId,
  roles,
  onAssigned,
}: {
  orgId: string;
  roles: RoleDetail[];
  onAssigned: (outcome: AssignOutcome) => Promise<void>;
}) {
  const [userId, setUserId] = useState<string | null>(null);
  const [grant, setGrant] = useState(emptyGrant);
  const { busy, refusal, send } = useSending();
  const [outcome, setOutcome] = useState<AssignOutcome>();

  function submit(event: FormEvent) {
    event.preventDefault();
    setOutcome(undefined);
    void send(async () => {
      const answer = await accessApi.assign(orgId, { userId: userId ?? '', ...grantBody(grant) });
      setOutcome(answer);
      // The same role for the next user is likely: only the reason and expiry start afresh.
      setGrant((before) => ({ ...before, reason: '', expires: '' }));
      await onAssigned(answer);
    });
  }

  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="Assign a role">
      <Stack gap="sm">
        <Title order={3} size="h5">
          Assign a role
        </Title>
        <RefusalAlert refusal={refusal} title="Not assigned" />
        {outcome?.status === 'assigned' && (
          <Alert color="green" title="Assigned" role="status">
            The role is in effect now.
          </Alert>
        )}
        {outcome?.status === 'pending' && (
          <Alert color="grape" title="Waiting for approval" role="status">
            This role needs approval: an access request was opened, which another administrator with
            the approve permission decides under Access requests.
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <UserPicker
            orgId={orgId}
            value={userId}
            onChange={setUserId}
            error={fieldError(refusal, 'userId')}
          />
          <GrantFields
            roles={roles}
            grant={grant}
            onChange={setGrant}
            refusal={refusal}
            words={{
              role: 'One that needs approval becomes a request',
              reason: 'Why they need it (kept in the audit log)',
              expiresLabel: 'Expires',
              expires: 'Optional, in your time zone; leave empty for no end',
            }}
          />
        </SimpleGrid>
        <Group>
          <Button type="submit" loading={busy}>
            Assign
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
