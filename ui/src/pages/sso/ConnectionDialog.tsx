import {
  Checkbox,
  FileInput,
  Group,
  PasswordInput,
  Radio,
  Stack,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { FormDialog } from '../../components/FormDialog.tsx';
import { fieldError } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import type { Connection, ConnectionInput, Protocol, Provisioning } from './api.ts';
import { MappingFields } from './MappingFields.tsx';
import { linesOf } from './parts.tsx';

type SamlSource = 'url' | 'xml' | 'fields';

/** The connection's settings as the form holds them (text as typed). */
interface Form {
  name: string;
  protocol: Protocol;
  enabled: boolean;
  provisioning: Provisioning;
  email: string;
  displayName: string;
  mfaValues: string;
  samlSource: SamlSource;
  metadataUrl: string;
  metadataXml: string;
  idpEntityId: string;
  idpSsoUrl: string;
  idpSloUrl: string;
  certificates: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
}

function formOf(c: Connection | undefined): Form {
  return {
    name: c?.name ?? '',
    protocol: c?.protocol ?? 'saml',
    enabled: c?.enabled ?? true,
    provisioning: c?.provisioning ?? 'jit',
    email: c?.attributeMapping.email ?? '',
    displayName: c?.attributeMapping.displayName ?? '',
    mfaValues: (c?.attributeMapping.mfaValues ?? []).join('\n'),
    samlSource: c && !c.saml?.metadataUrl ? 'fields' : 'url',
    metadataUrl: c?.saml?.metadataUrl ?? '',
    metadataXml: '',
    idpEntityId: c?.saml?.idpEntityId ?? '',
    idpSsoUrl: c?.saml?.idpSsoUrl ?? '',
    idpSloUrl: c?.saml?.idpSloUrl ?? '',
    certificates: '',
    issuer: c?.oidc?.issuer ?? '',
    clientId: c?.oidc?.clientId ?? '',
    clientSecret: '',
    scopes: (c?.oidc?.scopes ?? ['openid', 'email', 'profile']).join(' '),
  };
}

/** PEM certificates pasted together, each whole. */
const pemsIn = (text: string) =>
  text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

const optional = (text: string) => text.trim() || undefined;

/**
 * What the form sends. A SAML connection's identity provider comes from one source: its metadata
 * URL (read now and on refresh), a metadata file, or its fields with a certificate. An OIDC
 * connection's secret is sent only when typed: left empty on a change, the one stored stays.
 */
function inputOf(form: Form, creating: boolean): ConnectionInput {
  const mapping = {
    email: optional(form.email),
    displayName: optional(form.displayName),
    mfaValues: linesOf(form.mfaValues),
  };
  const input: ConnectionInput = {
    name: form.name.trim(),
    protocol: form.protocol,
    enabled: form.enabled,
    provisioning: form.provisioning,
    attributeMapping: mapping,
  };
  if (form.protocol === 'saml') {
    if (form.samlSource === 'url') input.saml = { metadataUrl: form.metadataUrl.trim() };
    else if (form.samlSource === 'xml') input.saml = { metadataXml: form.metadataXml };
    else
      input.saml = {
        idpEntityId: form.idpEntityId.trim(),
        idpSsoUrl: form.idpSsoUrl.trim(),
        // Empty: none (null, so that a change clears one set before).
        idpSloUrl: form.idpSloUrl.trim() || null,
        // On a change the certificates are kept and changed on the connection's page.
        ...(creating || pemsIn(form.certificates).length > 0
          ? { certificates: pemsIn(form.certificates) }
          : {}),
      };
  } else {
    const scopes = form.scopes.split(/\s+/).filter(Boolean);
    input.oidc = {
      issuer: form.issuer.trim(),
      clientId: form.clientId.trim(),
      clientSecret: optional(form.clientSecret),
      scopes: scopes.length > 0 ? scopes : undefined,
    };
  }
  return input;
}

/** Adds a connection to an upstream identity provider or, given `connection`, changes it. */
export function ConnectionDialog({
  connection,
  onClose,
  save,
}: {
  connection?: Connection;
  onClose: () => void;
  save: (input: ConnectionInput) => Promise<void>;
}) {
  const [form, setForm] = useState<Form>(() => formOf(connection));
  const { busy, refusal, send } = useSending();
  const set = <K extends keyof Form>(key: K, value: Form[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const error = (field: string) => fieldError(refusal, field);
  const title = connection ? `Edit ${connection.name}` : 'Add a connection';

  function submit() {
    const input = inputOf(form, !connection);
    // The protocol of a connection does not change: a new connection is made for another.
    if (connection) delete (input as Partial<ConnectionInput>).protocol;
    void send(() => save(input));
  }

  return (
    <FormDialog
      title={title}
      submitLabel={connection ? 'Save' : 'Add connection'}
      size="xl"
      busy={busy}
      refusal={refusal}
      onClose={onClose}
      onSubmit={submit}
    >
      <TextInput
        label="Name"
        description="Shown on the sign-in page's SSO button and in the audit log"
        required
        data-autofocus
        value={form.name}
        onChange={(e) => set('name', e.currentTarget.value)}
        error={error('name')}
      />
      {!connection && (
        <Radio.Group
          label="Protocol"
          value={form.protocol}
          onChange={(v) => set('protocol', v as Protocol)}
          error={error('protocol')}
        >
          <Group mt="xs">
            <Radio value="saml" label="SAML 2.0" />
            <Radio value="oidc" label="OpenID Connect" />
          </Group>
        </Radio.Group>
      )}
      {form.protocol === 'saml' ? (
        <SamlFields form={form} set={set} error={error} creating={!connection} />
      ) : (
        <OidcFields form={form} set={set} error={error} connection={connection} />
      )}
      <Radio.Group
        label="Users"
        value={form.provisioning}
        onChange={(v) => set('provisioning', v as Provisioning)}
        error={error('provisioning')}
      >
        <Stack mt="xs" gap={6}>
          <Radio
            value="jit"
            label="Create a user at their first sign-in (just in time), from the mapped email and name"
          />
          <Radio value="match" label="Only users who exist already, matched by email" />
        </Stack>
      </Radio.Group>
      <MappingFields
        protocol={form.protocol}
        email={form.email}
        displayName={form.displayName}
        mfaValues={form.mfaValues}
        onChange={(key, value) => set(key, value)}
        error={error}
      />
      <Checkbox
        label="Enabled (users may sign in through it)"
        checked={form.enabled}
        onChange={(e) => set('enabled', e.currentTarget.checked)}
        error={error('enabled')}
      />
    </FormDialog>
  );
}

type FieldsProps = {
  form: Form;
  set: <K extends keyof Form>(key: K, value: Form[K]) => void;
  error: (field: string) => string | undefined;
};

function SamlFields({ form, set, error, creating }: FieldsProps & { creating: boolean }) {
  const [file, setFile] = useState<File | null>(null);
  return (
    <>
      <Radio.Group
        label="Identity provider's settings from"
        value={form.samlSource}
        onChange={(v) => set('samlSource', v as SamlSource)}
      >
        <Stack mt="xs" gap={6}>
          <Radio value="url" label="Its metadata URL (read now, and again on refresh)" />
          <Radio value="xml" label="Its metadata file (XML)" />
          <Radio value="fields" label="Fields entered here, with its signing certificate" />
        </Stack>
      </Radio.Group>
      {form.samlSource === 'url' && (
        <TextInput
          label="Metadata URL"
          description="HTTPS; the identity provider's SAML metadata"
          type="url"
          required
          value={form.metadataUrl}
          onChange={(e) => set('metadataUrl', e.currentTarget.value)}
          error={error('saml.metadataUrl')}
        />
      )}
      {form.samlSource === 'xml' && (
        <FileInput
          label="Metadata file"
          description="The identity provider's SAML metadata, as it exports it"
          placeholder="Pick an XML file"
          accept=".xml,application/xml,text/xml,application/samlmetadata+xml"
          required
          clearable
          value={file}
          onChange={(picked) => {
            setFile(picked);
            void (picked ? picked.text() : Promise.resolve('')).then((xml) =>
              set('metadataXml', xml),
            );
          }}
          error={error('saml.metadataXml')}
        />
      )}
      {form.samlSource === 'fields' && (
        <>
          <TextInput
            label="Identity provider entity ID"
            required
            value={form.idpEntityId}
            onChange={(e) => set('idpEntityId', e.currentTarget.value)}
            error={error('saml.idpEntityId')}
          />
          <TextInput
            label="Identity provider sign-in (SSO) URL"
            description="Where Vigil sends the request (HTTP-Redirect binding)"
            type="url"
            required
            value={form.idpSsoUrl}
            onChange={(e) => set('idpSsoUrl', e.currentTarget.value)}
            error={error('saml.idpSsoUrl')}
          />
          <TextInput
            label="Identity provider logout (SLO) URL"
            description="Optional"
            type="url"
            value={form.idpSloUrl}
            onChange={(e) => set('idpSloUrl', e.currentTarget.value)}
            error={error('saml.idpSloUrl')}
          />
          {creating && (
            <Textarea
              label="Signing certificate (PEM)"
              description="The identity provider's; several may be pasted one after another"
              required
              autosize
              minRows={4}
              maxRows={12}
              value={form.certificates}
              onChange={(e) => set('certificates', e.currentTarget.value)}
              error={error('saml.certificates')}
            />
          )}
        </>
      )}
    </>
  );
}

function OidcFields({ form, set, error, connection }: FieldsProps & { connection?: Connection }) {
  const hasSecret = connection?.oidc?.hasClientSecret ?? false;
  return (
    <>
      <TextInput
        label="Issuer"
        description="HTTPS; its discovery document (/.well-known/openid-configuration) is read from it"
        type="url"
        required
        value={form.issuer}
        onChange={(e) => set('issuer', e.currentTarget.value)}
        error={error('oidc.issuer')}
      />
      <TextInput
        label="Client ID"
        description="Vigil's client at the identity provider"
        required
        value={form.clientId}
        onChange={(e) => set('clientId', e.currentTarget.value)}
        error={error('oidc.clientId')}
      />
      <PasswordInput
        label="Client secret"
        description={
          connection
            ? hasSecret
              ? 'Set. Leave empty to keep it; type a new one to replace it'
              : 'Not set. Empty: Vigil signs in as a public client with PKCE'
            : 'Empty for a public client (PKCE alone)'
        }
        autoComplete="off"
        value={form.clientSecret}
        onChange={(e) => set('clientSecret', e.currentTarget.value)}
        error={error('oidc.clientSecret')}
      />
      <TextInput
        label="Scopes"
        description="Separated by spaces; openid among them"
        value={form.scopes}
        onChange={(e) => set('scopes', e.currentTarget.value)}
        error={error('oidc.scopes')}
      />
    </>
  );
}
