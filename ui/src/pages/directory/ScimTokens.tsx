import {
  Badge,
  Button,
  Code,
  Group,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { type FormEvent, useCallback, useState } from 'react';
import type { Access } from '../../access.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { ShownOnce } from '../../components/ShownOnce.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useSending } from '../../components/useSending.ts';
import { directoryApi, type ScimToken, tokenStatus } from './api.ts';

const statusColor = { active: 'green', expired: 'gray', revoked: 'red' } as const;

/**
 * The directory's SCIM tokens: made here (shown once, with the SCIM base URL to give the
 * directory alongside), listed with their last use, revoked behind a confirmation.
 */
export function ScimTokens({
  orgId,
  access,
  baseUrl,
}: {
  orgId: string;
  access: Access;
  /** The organization's SCIM root, once its slug is known. */
  baseUrl: string | undefined;
}) {
  const tokens = useLoaded(useCallback(() => directoryApi.tokens(orgId), [orgId]));
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string>();
  const [revoking, setRevoking] = useState<ScimToken>();

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>SCIM tokens</Title>
        <Button onClick={() => setCreating(true)}>Create a SCIM token</Button>
      </Group>
      <Text size="sm" c="dimmed">
        The HR directory (Entra ID, Okta, …) provisions users and groups with a token of this
        organization, at the SCIM base URL
        {baseUrl ? (
          <>
            {' '}
            <Code>{baseUrl}</Code>
          </>
        ) : (
          ' of this organization'
        )}
        . A token acts on SCIM resources only, nowhere else in Vigil.
      </Text>
      <LoadState error={tokens.error} loading={!tokens.data} what="the SCIM tokens" />
      {tokens.data && <TokenTable tokens={tokens.data} access={access} onRevoke={setRevoking} />}
      <CreateTokenDialog
        orgId={orgId}
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={async (token) => {
          setCreating(false);
          setSecret(token);
          await tokens.reload();
        }}
      />
      <ShownOnce
        title="New SCIM token"
        what="the SCIM token"
        secret={secret}
        notice="Copy the token now and enter it, with the SCIM base URL, in the directory's provisioning settings: the console will not show it again."
        onClose={() => setSecret(undefined)}
      >
        {baseUrl && (
          <Text size="sm">
            SCIM base URL: <Code aria-label="SCIM base URL">{baseUrl}</Code>
          </Text>
        )}
      </ShownOnce>
      <ConfirmDialog
        opened={revoking !== undefined}
        title="Revoke this SCIM token?"
        confirmLabel="Revoke"
        danger
        onConfirm={async () => {
          if (!revoking) return;
          await directoryApi.revokeToken(orgId, revoking.id);
          setRevoking(undefined);
          await tokens.reload();
        }}
        onClose={() => setRevoking(undefined)}
      >
        <Text>
          <strong>{revoking?.name}</strong> stops working at once, for good: the directory that uses
          it can no longer provision until it is given a new token.
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}

function TokenTable({
  tokens,
  access,
  onRevoke,
}: {
  tokens: ScimToken[];
  access: Access;
  onRevoke: (token: ScimToken) => void;
}) {
  if (tokens.length === 0)
    return <Text c="dimmed">No SCIM tokens yet: create one for the HR directory.</Text>;
  const maker = (token: ScimToken) =>
    token.createdBy === null ? (
      'the operator (CLI)'
    ) : token.createdBy === access.userId ? (
      'you'
    ) : (
      <Code>{token.createdBy}</Code>
    );
  return (
    <Table striped highlightOnHover aria-label="SCIM tokens">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th>Expires</Table.Th>
          <Table.Th>Last used</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {tokens.map((token) => {
          const status = tokenStatus(token);
          return (
            <Table.Tr key={token.id}>
              <Table.Td>{token.name}</Table.Td>
              <Table.Td>
                <DateTime value={token.createdAt} />
                <Text size="xs" c="dimmed">
                  by {maker(token)}
                </Text>
              </Table.Td>
              <Table.Td>
                <DateTime value={token.expiresAt} />
              </Table.Td>
              <Table.Td>
                <DateTime value={token.lastUsedAt} fallback="never" />
                {token.lastUsedIp && ` from ${token.lastUsedIp}`}
              </Table.Td>
              <Table.Td>
                <Badge color={statusColor[status]} variant="light">
                  {status}
                </Badge>
              </Table.Td>
              <Table.Td>
                {status === 'active' && (
                  <Button
                    size="xs"
                    color="red"
                    variant="light"
                    aria-label={`Revoke ${token.name}`}
                    onClick={() => onRevoke(token)}
                  >
                    Revoke
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

const defaultDays = 180;

/** Creates a token; the token goes to `onCreated`, which shows it once. */
function CreateTokenDialog({
  orgId,
  opened,
  onClose,
  onCreated,
}: {
  orgId: string;
  opened: boolean;
  onClose: () => void;
  onCreated: (token: string) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [days, setDays] = useState<number | string>(defaultDays);
  const { busy, refusal, send, clear } = useSending();

  function close() {
    setName('');
    setDays(defaultDays);
    clear();
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      const answer = await directoryApi.createToken(orgId, {
        name: name.trim(),
        expiresInDays: Number(days),
      });
      setName('');
      setDays(defaultDays);
      await onCreated(answer.token);
    });
  }

  return (
    <Modal opened={opened} onClose={close} title="Create a SCIM token">
      <form onSubmit={submit} aria-label="Create a SCIM token">
        <Stack gap="sm">
          <RefusalAlert refusal={refusal} title="Not created" />
          <TextInput
            label="Name"
            description="Which directory uses it (e.g. Entra ID provisioning)"
            required
            data-autofocus
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(refusal, 'name')}
          />
          <NumberInput
            label="Expires after (days)"
            description="At most 365; make the next token before this one expires"
            required
            min={1}
            max={365}
            allowDecimal={false}
            value={days}
            onChange={setDays}
            error={fieldError(refusal, 'expiresInDays')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
