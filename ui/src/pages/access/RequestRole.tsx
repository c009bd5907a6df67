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
import { instantOf, roleOption } from './AssignRole.tsx';
import { accessApi, type RoleDetail } from './api.ts';

/** Ask for a role for yourself: always a request, which someone else decides. */
export function RequestRole({
  orgId,
  roles,
  onRequested,
}: {
  orgId: string;
  roles: RoleDetail[];
  onRequested: () => Promise<void>;
}) {
  const [roleKey, setRoleKey] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState('');
  const { busy, refusal, send } = useSending();
  const [sent, setSent] = useState(false);

  function submit(event: FormEvent) {
    event.preventDefault();
    setSent(false);
    void send(async () => {
      await accessApi.requestAccess(orgId, {
        roleKey: roleKey ?? '',
        reason,
        expiresAt: instantOf(expires),
      });
      setSent(true);
      setRoleKey(null);
      setReason('');
      setExpires('');
      await onRequested();
    });
  }

  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="Request a role">
      <Stack gap="sm">
        <Title order={3} size="h5">
          Request a role for yourself
        </Title>
        <RefusalAlert refusal={refusal} title="Not requested" />
        {sent && (
          <Alert color="grape" title="Requested" role="status">
            Another administrator decides it; the role is yours once they approve.
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Select
            label="Role"
            description="Another administrator approves it"
            required
            searchable
            data={roles.map(roleOption)}
            value={roleKey}
            onChange={setRoleKey}
            error={fieldError(refusal, 'roleKey')}
          />
          <TextInput
            label="Reason"
            description="Why you need it"
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={fieldError(refusal, 'reason')}
          />
          <TextInput
            type="datetime-local"
            label="Until"
            description="Optional, in your time zone"
            value={expires}
            onChange={(e) => setExpires(e.currentTarget.value)}
            error={fieldError(refusal, 'expiresAt')}
          />
        </SimpleGrid>
        <Group>
          <Button type="submit" loading={busy}>
            Request
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
