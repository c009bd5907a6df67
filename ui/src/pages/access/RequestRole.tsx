import { Alert, Button, Card, Group, SimpleGrid, Stack, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { accessApi, type RoleDetail } from './api.ts';
import { emptyGrant, GrantFields, grantBody } from './GrantFields.tsx';

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
  const [grant, setGrant] = useState(emptyGrant);
  const { busy, refusal, send } = useSending();
  const [sent, setSent] = useState(false);

  function submit(event: FormEvent) {
    event.preventDefault();
    setSent(false);
    void send(async () => {
      await accessApi.requestAccess(orgId, grantBody(grant));
      setSent(true);
      setGrant(emptyGrant);
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
          <GrantFields
            roles={roles}
            grant={grant}
            onChange={setGrant}
            refusal={refusal}
            words={{
              role: 'Another administrator approves it',
              reason: 'Why you need it',
              expiresLabel: 'Until',
              expires: 'Optional, in your time zone',
            }}
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
