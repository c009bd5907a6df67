import {
  Alert,
  Button,
  Card,
  Group,
  Select,
  SimpleGrid,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { type AssignOutcome, accessApi, type RoleDetail } from './api.ts';
import { UserPicker } from './UserPicker.tsx';

/** A role's name as a picker shows it: whether giving it waits for an approver. */
export const roleOption = (role: RoleDetail) => ({
  value: role.key,
  label: role.requiresApproval ? `${role.name} (needs approval)` : role.name,
});

/**
 * `datetime-local` gives the user's local time without a zone; the API wants an instant.
 * Empty: no expiry.
 */
export const instantOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

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
  const [roleKey, setRoleKey] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState('');
  const { busy, refusal, send } = useSending();
  const [outcome, setOutcome] = useState<AssignOutcome>();

  function submit(event: FormEvent) {
    event.preventDefault();
    setOutcome(undefined);
    void send(async () => {
      const answer = await accessApi.assign(orgId, {
        userId: userId ?? '',
        roleKey: roleKey ?? '',
        reason,
        expiresAt: instantOf(expires),
      });
      setOutcome(answer);
      setReason('');
      setExpires('');
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
          <Select
            label="Role"
            description="One that needs approval becomes a request"
            required
            searchable
            data={roles.map(roleOption)}
            value={roleKey}
            onChange={setRoleKey}
            error={fieldError(refusal, 'roleKey')}
          />
          <TextInput
            label="Reason"
            description="Why they need it (kept in the audit log)"
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={fieldError(refusal, 'reason')}
          />
          <TextInput
            type="datetime-local"
            label="Expires"
            description="Optional, in your time zone; leave empty for no end"
            value={expires}
            onChange={(e) => setExpires(e.currentTarget.value)}
            error={fieldError(refusal, 'expiresAt')}
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
