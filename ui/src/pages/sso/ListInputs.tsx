import {
  Button,
  Checkbox,
  Fieldset,
  Group,
  NativeSelect,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import type { AcsUrl, AttributeRule, AttributeSource } from './api.ts';
import { attributeSources } from './api.ts';

/**
 * The ACS URLs of an application, one a row; the default one answers an IdP-initiated sign-in
 * and a request that names none. The index sent is the row's position. Every one takes HTTP-POST:
 * the SAML profile sends no response by Redirect.
 */
export function AcsUrlsInput({
  value,
  onChange,
  error,
}: {
  value: AcsUrl[];
  onChange: (next: AcsUrl[]) => void;
  error: string | undefined;
}) {
  const set = (i: number, change: Partial<AcsUrl>) =>
    onChange(value.map((row, j) => (j === i ? { ...row, ...change } : row)));
  const makeDefault = (i: number) =>
    onChange(value.map((row, j) => ({ ...row, isDefault: j === i })));
  return (
    <Fieldset legend="Assertion consumer service (ACS) URLs (HTTP-POST)">
      <Stack gap="xs">
        {value.map((row, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <Group key={i} align="flex-end" wrap="nowrap">
            <TextInput
              label={`ACS URL ${i + 1}`}
              type="url"
              required
              style={{ flex: 1 }}
              value={row.url}
              onChange={(e) => set(i, { url: e.currentTarget.value })}
            />
            <Checkbox
              label="Default"
              aria-label={`ACS URL ${i + 1} is the default`}
              mb={8}
              checked={row.isDefault}
              onChange={() => makeDefault(i)}
            />
            {value.length > 1 && (
              <Button
                variant="default"
                aria-label={`Remove ACS URL ${i + 1}`}
                onClick={() => {
                  const rest = value.filter((_, j) => j !== i);
                  onChange(
                    rest.some((r) => r.isDefault)
                      ? rest
                      : rest.map((r, j) => ({ ...r, isDefault: j === 0 })),
                  );
                }}
              >
                Remove
              </Button>
            )}
          </Group>
        ))}
        {error && (
          <Text c="red" size="sm" role="alert">
            {error}
          </Text>
        )}
        <Group>
          <Button
            variant="default"
            size="xs"
            onClick={() =>
              onChange([
                ...value,
                { url: '', binding: 'post', index: value.length, isDefault: value.length === 0 },
              ])
            }
          >
            Add an ACS URL
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}

/** SAML's attribute name formats; Vigil sends `basic` when none is chosen. */
const attrnameFormat = 'urn:oasis:names:tc:SAML:2.0:attrname-format:';
const nameFormats = [
  { value: '', label: 'Basic (the default)' },
  { value: `${attrnameFormat}uri`, label: 'URI' },
  { value: `${attrnameFormat}unspecified`, label: 'Unspecified' },
];

/** The attributes an application is sent: each one's name, where its value comes from, its format. */
export function AttributeRulesInput({
  value,
  onChange,
  error,
}: {
  value: AttributeRule[];
  onChange: (next: AttributeRule[]) => void;
  error: string | undefined;
}) {
  const set = (i: number, change: Partial<AttributeRule>) =>
    onChange(value.map((row, j) => (j === i ? { ...row, ...change } : row)));
  return (
    <Fieldset legend="Attributes sent">
      <Stack gap="xs">
        {value.length === 0 && (
          <Text size="sm" c="dimmed">
            None: the application gets the NameID alone.
          </Text>
        )}
        {value.map((row, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <Group key={i} align="flex-end" wrap="nowrap">
            <TextInput
              label={`Attribute ${i + 1} name`}
              required
              style={{ flex: 1 }}
              value={row.name}
              onChange={(e) => set(i, { name: e.currentTarget.value })}
            />
            <NativeSelect
              label={`Attribute ${i + 1} value`}
              data={Object.entries(attributeSources).map(([v, label]) => ({ value: v, label }))}
              value={row.source}
              onChange={(e) => set(i, { source: e.currentTarget.value as AttributeSource })}
            />
            <NativeSelect
              label={`Attribute ${i + 1} name format`}
              data={nameFormats}
              value={row.nameFormat ?? ''}
              onChange={(e) => set(i, { nameFormat: e.currentTarget.value || undefined })}
            />
            <Button
              variant="default"
              aria-label={`Remove attribute ${i + 1}`}
              onClick={() => onChange(value.filter((_, j) => j !== i))}
            >
              Remove
            </Button>
          </Group>
        ))}
        {error && (
          <Text c="red" size="sm" role="alert">
            {error}
          </Text>
        )}
        <Group>
          <Button
            variant="default"
            size="xs"
            onClick={() => onChange([...value, { name: '', source: 'email' }])}
          >
            Add an attribute
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}
