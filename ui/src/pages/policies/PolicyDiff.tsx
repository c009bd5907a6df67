import { Table, Text } from '@mantine/core';
import type { Settings } from './api.ts';
import { type Field, shown } from './fields.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const presetField: Field = { key: 'preset', label: 'Preset', type: 'number', whenEmpty: 'none' };

/** The settings that differ between `before` and `after` (the preset's name first, if any). */
export function changesOf(fields: Field[], before: Settings, after: Settings): Field[] {
  const all = 'preset' in after ? [presetField, ...fields] : fields;
  return all.filter((field) => !same(before[field.key], after[field.key]));
}

/** What saving would change: each setting that differs, now and after. */
export function PolicyDiff({
  fields,
  before,
  after,
}: {
  fields: Field[];
  before: Settings;
  after: Settings;
}) {
  const changes = changesOf(fields, before, after);
  if (changes.length === 0) return <Text c="dimmed">Nothing changes.</Text>;
  return (
    <Table withTableBorder aria-label="Changes">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Setting</Table.Th>
          <Table.Th>Now</Table.Th>
          <Table.Th>After saving</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {changes.map((field) => (
          <Table.Tr key={field.key}>
            <Table.Td>{field.label}</Table.Td>
            <Table.Td>
              <del>{shown(field, before[field.key])}</del>
            </Table.Td>
            <Table.Td>
              <ins>{shown(field, after[field.key])}</ins>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
