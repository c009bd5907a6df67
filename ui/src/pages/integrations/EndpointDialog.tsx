import { NativeSelect, TextInput } from '@mantine/core';
import { useState } from 'react';
import { FormDialog } from '../../components/FormDialog.tsx';
import { fieldError } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import type { Severity } from '../alerts/api.ts';
import { severityChoices } from '../alerts/Badges.tsx';
import type { EndpointInput, WebhookEndpoint } from './api.ts';

/**
 * Adds an endpoint, or (given `endpoint`) changes its name, URL and minimum severity. The API
 * refuses a private or loopback URL unless the deployment allows them (the SSRF guard).
 */
export function EndpointDialog({
  endpoint,
  onClose,
  save,
}: {
  endpoint?: WebhookEndpoint;
  onClose: () => void;
  save: (input: EndpointInput) => Promise<void>;
}) {
  const [name, setName] = useState(endpoint?.name ?? '');
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [minSeverity, setMinSeverity] = useState<Severity>(endpoint?.minSeverity ?? 'medium');
  const { busy, refusal, send } = useSending();
  const title = endpoint ? `Edit ${endpoint.name}` : 'Add a webhook endpoint';

  function submit() {
    void send(() => save({ name: name.trim(), url: url.trim(), minSeverity }));
  }

  return (
    <FormDialog
      title={title}
      submitLabel={endpoint ? 'Save' : 'Add endpoint'}
      busy={busy}
      refusal={refusal}
      onClose={onClose}
      onSubmit={submit}
    >
      <TextInput
        label="Name"
        description="What receives it (e.g. SOC pager)"
        required
        data-autofocus
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={fieldError(refusal, 'name')}
      />
      <TextInput
        label="URL"
        description="HTTPS; each alert is posted signed with the endpoint's secret"
        type="url"
        required
        value={url}
        onChange={(e) => setUrl(e.currentTarget.value)}
        error={fieldError(refusal, 'url')}
      />
      <NativeSelect
        label="Least severity sent"
        data={severityChoices}
        value={minSeverity}
        onChange={(e) => setMinSeverity(e.currentTarget.value as Severity)}
        error={fieldError(refusal, 'minSeverity')}
      />
    </FormDialog>
  );
}
