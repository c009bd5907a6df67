import { Fieldset, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import type { Protocol } from './api.ts';

type Key = 'email' | 'displayName' | 'mfaValues';

/**
 * Which upstream attribute (SAML) or claim (OIDC) is the user's email and name, and which
 * upstream values say the user used a second factor there (the SSO policy decides whether that
 * is enough). Empty: the protocol's usual names.
 */
export function MappingFields({
  protocol,
  email,
  displayName,
  mfaValues,
  onChange,
  error,
}: {
  protocol: Protocol;
  email: string;
  displayName: string;
  mfaValues: string;
  onChange: (key: Key, value: string) => void;
  error: (field: string) => string | undefined;
}) {
  const saml = protocol === 'saml';
  return (
    <Fieldset legend="Attribute mapping">
      <Stack gap="xs">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label={saml ? 'Email attribute' : 'Email claim'}
            description={saml ? 'Empty: the NameID when it is an email' : 'Empty: email'}
            value={email}
            onChange={(e) => onChange('email', e.currentTarget.value)}
            error={error('attributeMapping.email')}
          />
          <TextInput
            label={saml ? 'Name attribute' : 'Name claim'}
            description={saml ? 'Empty: no name (the email stands for it)' : 'Empty: name'}
            value={displayName}
            onChange={(e) => onChange('displayName', e.currentTarget.value)}
            error={error('attributeMapping.displayName')}
          />
        </SimpleGrid>
        <Textarea
          label="Values that mean a second factor was used"
          description={
            saml
              ? 'One a line: AuthnContextClassRef values (e.g. …:MultiFactor)'
              : 'One a line: amr values (e.g. mfa, otp, hwk)'
          }
          autosize
          minRows={2}
          value={mfaValues}
          onChange={(e) => onChange('mfaValues', e.currentTarget.value)}
          error={error('attributeMapping.mfaValues')}
        />
      </Stack>
    </Fieldset>
  );
}
