import { Group, NativeSelect, Radio, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { FormDialog } from '../../components/FormDialog.tsx';
import { fieldError } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import type { StreamFormat, StreamInput, StreamKind } from './api.ts';

/** What each kind of stream asks for: its address, and whether it takes a CA. */
const kinds: Record<StreamKind, { label: string; url: string; example: string }> = {
  syslog: {
    label: 'Syslog (RFC 5424 over TLS)',
    url: 'The collector’s address: host and port',
    example: 'syslog+tls://siem.example.com:6514',
  },
  webhook: {
    label: 'Signed webhook (HTTPS)',
    url: 'Each event is posted here on its own, signed with the stream’s secret',
    example: 'https://siem.example.com/vigil',
  },
};

/** Adds a SIEM stream: its fields depend on the kind (a CA for syslog; a secret for webhooks). */
export function StreamDialog({
  onClose,
  create,
}: {
  onClose: () => void;
  create: (input: StreamInput) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<StreamKind>('syslog');
  const [format, setFormat] = useState<StreamFormat>('ocsf');
  const [url, setUrl] = useState('');
  const [caPem, setCaPem] = useState('');
  const [from, setFrom] = useState<StreamInput['from']>('now');
  const { busy, refusal, send } = useSending();

  function submit() {
    const input: StreamInput = { name: name.trim(), kind, format, url: url.trim(), from };
    if (kind === 'syslog' && caPem.trim()) input.caPem = caPem.trim();
    void send(() => create(input));
  }

  return (
    <FormDialog
      title="Add a SIEM stream"
      submitLabel="Add stream"
      refusalTitle="Not added"
      size="lg"
      busy={busy}
      refusal={refusal}
      onClose={onClose}
      onSubmit={submit}
    >
      <TextInput
        label="Name"
        required
        data-autofocus
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={fieldError(refusal, 'name')}
      />
      <NativeSelect
        label="Kind"
        data={Object.entries(kinds).map(([value, k]) => ({ value, label: k.label }))}
        value={kind}
        onChange={(e) => setKind(e.currentTarget.value as StreamKind)}
        error={fieldError(refusal, 'kind')}
      />
      <TextInput
        label={kind === 'syslog' ? 'Collector address' : 'URL'}
        description={kinds[kind].url}
        placeholder={kinds[kind].example}
        required
        value={url}
        onChange={(e) => setUrl(e.currentTarget.value)}
        error={fieldError(refusal, 'url')}
      />
      <NativeSelect
        label="Format"
        data={[
          { value: 'ocsf', label: 'OCSF 1.x' },
          { value: 'jsonl', label: 'Vigil’s JSON Lines' },
        ]}
        value={format}
        onChange={(e) => setFormat(e.currentTarget.value as StreamFormat)}
        error={fieldError(refusal, 'format')}
      />
      {kind === 'syslog' && (
        <Textarea
          label="CA certificate (PEM)"
          description="Only when the collector's certificate is not from a public CA"
          autosize
          minRows={3}
          value={caPem}
          onChange={(e) => setCaPem(e.currentTarget.value)}
          error={fieldError(refusal, 'caPem')}
        />
      )}
      <Radio.Group
        label="Start with"
        value={from}
        onChange={(v) => setFrom(v as StreamInput['from'])}
        error={fieldError(refusal, 'from')}
      >
        <Group mt="xs">
          <Radio value="now" label="Events from now on" />
          <Radio value="beginning" label="The whole log kept in the database" />
        </Group>
      </Radio.Group>
    </FormDialog>
  );
}
