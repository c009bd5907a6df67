import {
  Button,
  Checkbox,
  Group,
  Modal,
  NativeSelect,
  Stack,
  Textarea,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { type ClientKind, clientKinds, clientsApi, type OAuthClient } from './api.ts';

/** One entry a line (or separated by spaces), blanks dropped. */
const entries = (text: string) => text.split(/\s+/).filter(Boolean);

const blank = {
  name: '',
  kind: 'web' as ClientKind,
  firstParty: false,
  redirectUris: '',
  postLogoutRedirectUris: '',
  resources: '',
  apiScopes: '',
};

/** Registers a client; the answer (with a confidential client's secret) goes to `onCreated`. */
export function CreateClientDialog({
  orgId,
  opened,
  onClose,
  onCreated,
}: {
  orgId: string;
  opened: boolean;
  onClose: () => void;
  onCreated: (answer: { client: OAuthClient; secret: string | null }) => Promise<void>;
}) {
  const [form, setForm] = useState(blank);
  const { busy, refusal, send, clear } = useSending();
  const set = <K extends keyof typeof blank>(key: K, value: (typeof blank)[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const redirects = form.kind !== 'machine';

  function close() {
    setForm(blank);
    clear();
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      const answer = await clientsApi.create(orgId, {
        name: form.name.trim(),
        kind: form.kind,
        firstParty: form.firstParty,
        redirectUris: redirects ? entries(form.redirectUris) : [],
        postLogoutRedirectUris: redirects ? entries(form.postLogoutRedirectUris) : [],
        resources: entries(form.resources),
        apiScopes: entries(form.apiScopes),
      });
      setForm(blank);
      await onCreated(answer);
    });
  }

  return (
    <Modal opened={opened} onClose={close} title="Register a client" size="lg">
      <form onSubmit={submit} aria-label="Register a client">
        <Stack gap="sm">
          <RefusalAlert refusal={refusal} title="Not registered" />
          <TextInput
            label="Name"
            description="Shown to users on the consent page"
            required
            data-autofocus
            value={form.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={fieldError(refusal, 'name')}
          />
          <NativeSelect
            label="Kind"
            data={Object.entries(clientKinds).map(([value, label]) => ({ value, label }))}
            value={form.kind}
            onChange={(e) => set('kind', e.currentTarget.value as ClientKind)}
            error={fieldError(refusal, 'kind')}
          />
          {redirects && (
            <>
              <Textarea
                label="Redirect URIs"
                description="One a line: exact https URLs (http only on a loopback address)"
                required
                autosize
                minRows={2}
                value={form.redirectUris}
                onChange={(e) => set('redirectUris', e.currentTarget.value)}
                error={fieldError(refusal, 'redirectUris')}
              />
              <Textarea
                label="Post-logout redirect URIs"
                description="One a line; where users may be sent after signing out"
                autosize
                value={form.postLogoutRedirectUris}
                onChange={(e) => set('postLogoutRedirectUris', e.currentTarget.value)}
                error={fieldError(refusal, 'postLogoutRedirectUris')}
              />
            </>
          )}
          <Textarea
            label="Resources"
            description="One a line: the APIs (https URIs) it may get access tokens for; the first is the default"
            autosize
            value={form.resources}
            onChange={(e) => set('resources', e.currentTarget.value)}
            error={fieldError(refusal, 'resources')}
          />
          <TextInput
            label="API scopes"
            description="Separated by spaces: the scopes it may ask for those APIs"
            value={form.apiScopes}
            onChange={(e) => set('apiScopes', e.currentTarget.value)}
            error={fieldError(refusal, 'apiScopes')}
          />
          <Checkbox
            label="First-party application (its users are not asked for consent)"
            checked={form.firstParty}
            onChange={(e) => set('firstParty', e.currentTarget.checked)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Register
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
