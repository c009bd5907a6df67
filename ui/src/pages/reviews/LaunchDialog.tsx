import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { clientsApi, type OAuthClient } from '../clients/api.ts';
import {
  type Campaign,
  reviewsApi,
  type ScopeKind,
  scopeKinds,
  type UndecidedPolicy,
} from './api.ts';

const dayMs = 86_400_000;

/** A `datetime-local` value (the user's time zone) two weeks from now, at the minute. */
function inTwoWeeks(now = new Date()): string {
  const due = new Date(now.getTime() + 14 * dayMs - now.getTimezoneOffset() * 60_000);
  return due.toISOString().slice(0, 16);
}

/**
 * Launches a campaign by hand: its name, what it reviews (for an OAuth client's users, which
 * client), when it is due (in the user's time zone, sent as UTC) and what becomes of the items
 * nobody decided (left to the server's default unless chosen).
 */
export function LaunchDialog({
  orgId,
  opened,
  onClose,
  onLaunched,
}: {
  orgId: string;
  opened: boolean;
  onClose: () => void;
  onLaunched: (campaign: Campaign) => void;
}) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ScopeKind>('privileged_roles');
  const [clientId, setClientId] = useState<string | null>(null);
  const [due, setDue] = useState(inTwoWeeks);
  const [undecided, setUndecided] = useState<'default' | UndecidedPolicy>('default');
  const [clients, setClients] = useState<OAuthClient[]>();
  const { busy, refusal, send, clear } = useSending();

  useEffect(() => {
    if (!opened || kind !== 'client_users' || clients) return;
    clientsApi.list(orgId).then(setClients, () => setClients([]));
  }, [opened, kind, clients, orgId]);

  function close() {
    clear();
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      const campaign = await reviewsApi.launch(orgId, {
        name,
        scope: kind === 'client_users' && clientId ? { kind, clientId } : { kind },
        dueAt: new Date(due).toISOString(),
        ...(undecided === 'default' ? {} : { undecided }),
      });
      setName('');
      onLaunched(campaign);
    });
  }

  return (
    <Modal opened={opened} onClose={close} title="Launch a campaign" size="lg">
      <form onSubmit={submit} aria-label="Launch a campaign">
        <Stack gap="sm">
          <Text size="sm">
            The campaign reviews its scope as it is now: access granted or removed later is not
            added to it or taken from it.
          </Text>
          <RefusalAlert refusal={refusal} title="Not launched" />
          <TextInput
            label="Name"
            required
            data-autofocus
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(refusal, 'name')}
          />
          <Select
            label="Scope"
            required
            allowDeselect={false}
            data={Object.entries(scopeKinds).map(([value, label]) => ({ value, label }))}
            value={kind}
            onChange={(v) => setKind((v ?? 'privileged_roles') as ScopeKind)}
            error={fieldError(refusal, 'scope')}
          />
          {kind === 'client_users' && (
            <Select
              label="OAuth client"
              required
              searchable
              data={(clients ?? []).map((c) => ({ value: c.id, label: c.name }))}
              value={clientId}
              onChange={setClientId}
              nothingFoundMessage={clients ? 'No client' : 'Loading the clients'}
              error={fieldError(refusal, 'scope.clientId')}
            />
          )}
          <TextInput
            label="Due"
            description="In your time zone"
            type="datetime-local"
            required
            value={due}
            onChange={(e) => setDue(e.currentTarget.value)}
            error={fieldError(refusal, 'dueAt')}
          />
          <Select
            label="Items nobody decided by the close"
            allowDeselect={false}
            data={[
              {
                value: 'default',
                label: 'Default: revoked for privileged roles and API keys, kept otherwise',
              },
              { value: 'revoke', label: 'Revoked' },
              { value: 'keep', label: 'Kept' },
            ]}
            value={undecided}
            onChange={(v) => setUndecided((v ?? 'default') as typeof undecided)}
            error={fieldError(refusal, 'undecided')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Launch
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
