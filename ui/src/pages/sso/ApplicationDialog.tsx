import {
  Checkbox,
  Group,
  NativeSelect,
  Radio,
  SimpleGrid,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { FormDialog } from '../../components/FormDialog.tsx';
import { fieldError } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import {
  type ApplicationFromMetadata,
  type ApplicationInput,
  type NameIdFormat,
  nameIdFormats,
  type SamlApplication,
  type SamlBinding,
} from './api.ts';
import { AcsUrlsInput, AttributeRulesInput } from './ListInputs.tsx';

const blank: ApplicationInput = {
  name: '',
  entityId: '',
  acsUrls: [{ url: '', binding: 'post', index: 0, isDefault: true }],
  sloUrl: null,
  sloBinding: null,
  nameIdFormat: 'email',
  attributeMapping: [
    { name: 'email', source: 'email' },
    { name: 'displayName', source: 'displayName' },
  ],
  signResponse: true,
  signAssertion: true,
  encryptAssertion: false,
  spCertificate: null,
  wantRequestsSigned: false,
  idpInitiated: false,
  defaultRelayState: null,
  enabled: true,
};

const inputOf = ({ id, initiateUrl, createdAt, updatedAt, ...input }: SamlApplication) => input;

/** What the form sends: indexes by position, empty optional text as null. */
function cleaned(form: ApplicationInput): ApplicationInput {
  const text = (value: string | null) => value?.trim() || null;
  return {
    ...form,
    name: form.name.trim(),
    entityId: form.entityId.trim(),
    acsUrls: form.acsUrls.map((a, index) => ({ ...a, url: a.url.trim(), index })),
    sloUrl: text(form.sloUrl),
    sloBinding: text(form.sloUrl) ? (form.sloBinding ?? 'post') : null,
    attributeMapping: form.attributeMapping.map((a) => ({ ...a, name: a.name.trim() })),
    spCertificate: text(form.spCertificate),
    defaultRelayState: form.idpInitiated ? text(form.defaultRelayState) : null,
  };
}

/**
 * Adds a SAML application (from its fields or its SP metadata) or, given `application`, changes
 * it. The API's refusal shows above the form and next to each field it names.
 */
export function ApplicationDialog({
  application,
  onClose,
  save,
}: {
  application?: SamlApplication;
  onClose: () => void;
  save: (input: ApplicationInput | ApplicationFromMetadata) => Promise<void>;
}) {
  const [form, setForm] = useState<ApplicationInput>(application ? inputOf(application) : blank);
  const [from, setFrom] = useState<'fields' | 'metadata'>('fields');
  const [metadataXml, setMetadataXml] = useState('');
  const { busy, refusal, send } = useSending();
  const set = <K extends keyof ApplicationInput>(key: K, value: ApplicationInput[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const title = application ? `Edit ${application.name}` : 'Add a SAML application';
  const fromMetadata = !application && from === 'metadata';
  const error = (field: string) => fieldError(refusal, field);

  return (
    <FormDialog
      title={title}
      submitLabel={application ? 'Save' : 'Add application'}
      size="xl"
      busy={busy}
      refusal={refusal}
      onClose={onClose}
      onSubmit={() =>
        void send(() =>
          save(fromMetadata ? { name: form.name.trim(), metadataXml } : cleaned(form)),
        )
      }
    >
      <TextInput
        label="Name"
        description="Shown to administrators and in the audit log"
        required
        data-autofocus
        value={form.name}
        onChange={(e) => set('name', e.currentTarget.value)}
        error={error('name')}
      />
      {!application && (
        <Radio.Group
          label="Settings from"
          value={from}
          onChange={(v) => setFrom(v as 'fields' | 'metadata')}
        >
          <Group mt="xs">
            <Radio value="fields" label="Fields entered here" />
            <Radio value="metadata" label="The application's SP metadata (XML)" />
          </Group>
        </Radio.Group>
      )}
      {fromMetadata ? (
        <Textarea
          label="SP metadata XML"
          description="Its entity ID, ACS URLs, logout URL and certificate are read from it; change the rest after"
          required
          autosize
          minRows={6}
          maxRows={16}
          value={metadataXml}
          onChange={(e) => setMetadataXml(e.currentTarget.value)}
          error={error('metadataXml')}
        />
      ) : (
        <ApplicationFields form={form} set={set} error={error} />
      )}
    </FormDialog>
  );
}

function ApplicationFields({
  form,
  set,
  error,
}: {
  form: ApplicationInput;
  set: <K extends keyof ApplicationInput>(key: K, value: ApplicationInput[K]) => void;
  error: (field: string) => string | undefined;
}) {
  return (
    <>
      <TextInput
        label="Entity ID"
        description="The application's SAML entity ID (its issuer), as its own settings give it"
        required
        value={form.entityId}
        onChange={(e) => set('entityId', e.currentTarget.value)}
        error={error('entityId')}
      />
      <AcsUrlsInput
        value={form.acsUrls}
        onChange={(v) => set('acsUrls', v)}
        error={error('acsUrls')}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="Single logout URL"
          description="Empty: the application takes no logout requests"
          type="url"
          value={form.sloUrl ?? ''}
          onChange={(e) => set('sloUrl', e.currentTarget.value)}
          error={error('sloUrl')}
        />
        <NativeSelect
          label="Single logout binding"
          data={[
            { value: 'post', label: 'HTTP-POST' },
            { value: 'redirect', label: 'HTTP-Redirect' },
          ]}
          value={form.sloBinding ?? 'post'}
          onChange={(e) => set('sloBinding', e.currentTarget.value as SamlBinding)}
          error={error('sloBinding')}
        />
      </SimpleGrid>
      <NativeSelect
        label="NameID format"
        data={Object.entries(nameIdFormats).map(([value, label]) => ({ value, label }))}
        value={form.nameIdFormat}
        onChange={(e) => set('nameIdFormat', e.currentTarget.value as NameIdFormat)}
        error={error('nameIdFormat')}
      />
      <AttributeRulesInput
        value={form.attributeMapping}
        onChange={(v) => set('attributeMapping', v)}
        error={error('attributeMapping')}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Checkbox
          label="Sign the response"
          checked={form.signResponse}
          onChange={(e) => set('signResponse', e.currentTarget.checked)}
          error={error('signResponse')}
        />
        <Checkbox
          label="Sign the assertion"
          description="At least one of the two is signed"
          checked={form.signAssertion}
          onChange={(e) => set('signAssertion', e.currentTarget.checked)}
          error={error('signAssertion')}
        />
        <Checkbox
          label="Encrypt the assertion"
          description="To the application's certificate below"
          checked={form.encryptAssertion}
          onChange={(e) => set('encryptAssertion', e.currentTarget.checked)}
          error={error('encryptAssertion')}
        />
        <Checkbox
          label="Require signed requests"
          description="Checked with the application's certificate below"
          checked={form.wantRequestsSigned}
          onChange={(e) => set('wantRequestsSigned', e.currentTarget.checked)}
          error={error('wantRequestsSigned')}
        />
      </SimpleGrid>
      <Textarea
        label="Application certificate (PEM)"
        description="Needed to encrypt its assertions or check its signed requests"
        autosize
        minRows={3}
        maxRows={10}
        value={form.spCertificate ?? ''}
        onChange={(e) => set('spCertificate', e.currentTarget.value)}
        error={error('spCertificate')}
      />
      <Checkbox
        label="Allow IdP-initiated sign-in (a link that signs the user in without a request)"
        checked={form.idpInitiated}
        onChange={(e) => set('idpInitiated', e.currentTarget.checked)}
        error={error('idpInitiated')}
      />
      {form.idpInitiated && (
        <TextInput
          label="Default RelayState"
          description="Where the application opens after an IdP-initiated sign-in (optional)"
          value={form.defaultRelayState ?? ''}
          onChange={(e) => set('defaultRelayState', e.currentTarget.value)}
          error={error('defaultRelayState')}
        />
      )}
      <Checkbox
        label="Enabled (users may sign in to it)"
        checked={form.enabled}
        onChange={(e) => set('enabled', e.currentTarget.checked)}
        error={error('enabled')}
      />
    </>
  );
}
