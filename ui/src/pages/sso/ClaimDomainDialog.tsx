import { NativeSelect, TextInput } from '@mantine/core';
import { useState } from 'react';
import { FormDialog } from '../../components/FormDialog.tsx';
import { fieldError } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import type { Connection } from './api.ts';

/** Claims an email domain, optionally linked at once to the connection its users sign in through. */
export function ClaimDomainDialog({
  connections,
  onClose,
  claim,
}: {
  connections: Connection[];
  onClose: () => void;
  claim: (input: { domain: string; connectionId?: string }) => Promise<void>;
}) {
  const [domain, setDomain] = useState('');
  const [connectionId, setConnectionId] = useState(connections[0]?.id ?? '');
  const { busy, refusal, send } = useSending();

  return (
    <FormDialog
      title="Claim a domain"
      submitLabel="Claim domain"
      refusalTitle="Not claimed"
      busy={busy}
      refusal={refusal}
      onClose={onClose}
      onSubmit={() =>
        void send(() =>
          claim({ domain: domain.trim().toLowerCase(), connectionId: connectionId || undefined }),
        )
      }
    >
      <TextInput
        label="Domain"
        description="The part of the users' email after the @ (e.g. acme.com)"
        required
        data-autofocus
        value={domain}
        onChange={(e) => setDomain(e.currentTarget.value)}
        error={fieldError(refusal, 'domain')}
      />
      <NativeSelect
        label="Connection"
        description="Where its users are sent to sign in, once the domain is verified"
        data={[
          { value: '', label: 'None for now' },
          ...connections.map((c) => ({ value: c.id, label: c.name })),
        ]}
        value={connectionId}
        onChange={(e) => setConnectionId(e.currentTarget.value)}
        error={fieldError(refusal, 'connectionId')}
      />
    </FormDialog>
  );
}
