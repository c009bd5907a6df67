import { Button, Code, Group, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { Access } from '../../access.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { CreateCredentialDialog } from '../../components/CreateCredentialDialog.tsx';
import { CredentialTable, creatorOf } from '../../components/CredentialTable.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { ShownOnce } from '../../components/ShownOnce.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { directoryApi, type ScimToken } from './api.ts';

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
      <CreateCredentialDialog
        title="Create a SCIM token"
        nameDescription="Which directory uses it (e.g. Entra ID provisioning)"
        defaultDays={180}
        maxDays={365}
        daysDescription="At most 365; make the next token before this one expires"
        opened={creating}
        create={(input) => directoryApi.createToken(orgId, input)}
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
  return (
    <CredentialTable
      label="SCIM tokens"
      credentials={tokens}
      empty="No SCIM tokens yet: create one for the HR directory."
      createdBy={(token) => creatorOf(token, access)}
      onRevoke={onRevoke}
    />
  );
}
