import { Alert, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useUserNames } from '../../components/useUserNames.ts';
import { type AccessRequest, accessApi } from './api.ts';
import { ReasonDialog } from './ReasonDialog.tsx';
import { RequestRole } from './RequestRole.tsx';
import { SourceBadge } from './SourceBadge.tsx';

type Verdict = 'approve' | 'deny';

/**
 * Whether `access` may decide `request`: an approver, and neither the person who asked nor the
 * one who would get the role (the server refuses those too; the console does not offer it).
 */
export const mayDecide = (access: Access, request: AccessRequest) =>
  access.permissions.has('access.approve') &&
  request.requested_by !== access.userId &&
  request.user_id !== access.userId;

/** Pending requests for roles, decided by someone other than who asked; and asking for one. */
export function AccessRequests({ access }: { access: Access }) {
  const orgId = useParams().orgId ?? access.orgId;
  const load = useCallback(
    () => Promise.all([accessApi.accessRequests(orgId), accessApi.roles(orgId)]),
    [orgId],
  );
  const loaded = useLoaded(load);
  const [requests, roles] = loaded.data ?? [[], []];
  // One asks for a role in one's own organization only.
  const mayAsk = access.permissions.has('access.request') && orgId === access.orgId;

  return (
    <Stack>
      <Title order={2}>Access requests</Title>
      <Text c="dimmed">
        Roles that need approval take effect when another administrator approves the request. Nobody
        decides a request they made or one for themselves.
      </Text>
      {mayAsk && loaded.data && (
        <RequestRole orgId={orgId} roles={roles} onRequested={() => loaded.reload()} />
      )}
      <LoadState error={loaded.error} loading={!loaded.data} what="the access requests" />
      {loaded.data && (
        <RequestTable
          orgId={orgId}
          access={access}
          requests={requests}
          roleName={(key) => roles.find((r) => r.key === key)?.name ?? key}
          onDecided={() => loaded.reload()}
        />
      )}
    </Stack>
  );
}

function RequestTable({
  orgId,
  access,
  requests,
  roleName,
  onDecided,
}: {
  orgId: string;
  access: Access;
  requests: AccessRequest[];
  roleName: (key: string) => string;
  onDecided: () => Promise<void>;
}) {
  const [deciding, setDeciding] = useState<{ request: AccessRequest; verdict: Verdict }>();
  const [refused, setRefused] = useState<string>();
  const names = useUserNames(
    orgId,
    requests.flatMap((r) => (r.requested_by ? [r.user_id, r.requested_by] : [r.user_id])),
    access.permissions.has('users.read'),
  );
  const nameOf = (id: string) => (id === access.userId ? 'you' : (names.get(id) ?? id));
  if (requests.length === 0) return <Text c="dimmed">No request is waiting for a decision.</Text>;

  return (
    <>
      {refused && (
        <Alert
          color="red"
          title="Not decided"
          role="alert"
          withCloseButton
          onClose={() => setRefused(undefined)}
        >
          {refused}
        </Alert>
      )}
      <Table striped aria-label="Pending access requests">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>For</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>Asked</Table.Th>
            <Table.Th>Open until</Table.Th>
            <Table.Th>Decision</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {requests.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{nameOf(r.user_id)}</Table.Td>
              <Table.Td>
                {roleName(r.role_key)}
                {r.assignment_expires_at && (
                  <Text size="xs" c="dimmed">
                    until <DateTime value={r.assignment_expires_at} />
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {r.reason}
                <SourceBadge source={r.source} />
              </Table.Td>
              <Table.Td>
                <DateTime value={r.created_at} />
                <Text size="xs" c="dimmed">
                  by{' '}
                  {r.requested_by
                    ? nameOf(r.requested_by)
                    : r.source === 'scim'
                      ? 'the directory'
                      : 'the operator'}
                </Text>
              </Table.Td>
              <Table.Td>
                <DateTime value={r.expires_at} />
              </Table.Td>
              <Table.Td>
                {mayDecide(access, r) ? (
                  <Group gap="xs">
                    <Button
                      size="xs"
                      aria-label={`Approve ${roleName(r.role_key)} for ${nameOf(r.user_id)}`}
                      onClick={() => setDeciding({ request: r, verdict: 'approve' })}
                    >
                      Approve
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      aria-label={`Deny ${roleName(r.role_key)} for ${nameOf(r.user_id)}`}
                      onClick={() => setDeciding({ request: r, verdict: 'deny' })}
                    >
                      Deny
                    </Button>
                  </Group>
                ) : (
                  <Text size="sm" c="dimmed">
                    {access.permissions.has('access.approve')
                      ? 'Another approver decides'
                      : 'Waiting for an approver'}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <ReasonDialog
        title={deciding?.verdict === 'deny' ? 'Deny the request' : 'Approve the request'}
        opened={deciding !== undefined}
        what={
          deciding &&
          `${nameOf(deciding.request.user_id)} ${deciding.verdict === 'approve' ? 'gets' : 'does not get'} ${roleName(deciding.request.role_key)}.`
        }
        label="Note"
        confirm={deciding?.verdict === 'deny' ? 'Deny' : 'Approve'}
        onConfirm={async (note) => {
          if (!deciding) return;
          const answer = await accessApi.decide(orgId, deciding.request.id, deciding.verdict, note);
          // The server answers its segregation-of-duties refusal rather than throwing it.
          setRefused(answer.status === 'refused' ? answer.reason : undefined);
          await onDecided();
        }}
        onClose={() => setDeciding(undefined)}
      />
    </>
  );
}
