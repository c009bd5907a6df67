import { Badge, Checkbox, Table, Text } from '@mantine/core';
import { DateTime } from '../../components/DateTime.tsx';
import type { QueueItem } from './api.ts';
import { FlagBadges, HeldCell, SubjectCell } from './ItemParts.tsx';

/**
 * The reviewer's items with a checkbox each and one that selects every item shown. Who granted
 * an access is shown by email when Vigil knows it (`names`), else by id.
 */
export function QueueTable({
  items,
  selected,
  onSelect,
  names,
}: {
  items: QueueItem[];
  selected: ReadonlySet<string>;
  onSelect: (ids: ReadonlySet<string>) => void;
  names: ReadonlyMap<string, string>;
}) {
  const all = items.length > 0 && items.every((i) => selected.has(i.id));
  const some = items.some((i) => selected.has(i.id));
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (!next.delete(id)) next.add(id);
    onSelect(next);
  };
  return (
    <Table striped aria-label="Items to review">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>
            <Checkbox
              aria-label="Select every item shown"
              checked={all}
              indeterminate={some && !all}
              onChange={() => onSelect(all ? new Set() : new Set(items.map((i) => i.id)))}
            />
          </Table.Th>
          <Table.Th>User</Table.Th>
          <Table.Th>Access</Table.Th>
          <Table.Th>Flags</Table.Th>
          <Table.Th>Since</Table.Th>
          <Table.Th>Last sign-in</Table.Th>
          <Table.Th>MFA</Table.Th>
          <Table.Th>Campaign</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((item) => (
          <Table.Tr key={item.id}>
            <Table.Td>
              <Checkbox
                aria-label={`Select ${item.subject.email}: ${item.roleKey ?? item.apiKeyName ?? item.clientId}`}
                checked={selected.has(item.id)}
                onChange={() => toggle(item.id)}
              />
            </Table.Td>
            <Table.Td>
              <SubjectCell item={item} />
            </Table.Td>
            <Table.Td>
              <HeldCell item={item} />
            </Table.Td>
            <Table.Td>
              <FlagBadges flags={item.flags} />
            </Table.Td>
            <Table.Td>
              <Text size="sm">
                <DateTime value={item.heldSince} />
              </Text>
              <Text size="xs" c="dimmed">
                {grantedBy(item, names)}
              </Text>
            </Table.Td>
            <Table.Td>
              <DateTime value={item.lastSignInAt} fallback="never" />
            </Table.Td>
            <Table.Td>
              <Badge size="sm" variant="light" color={item.mfaEnrolled ? 'green' : 'yellow'}>
                {item.mfaEnrolled ? 'Enrolled' : 'None'}
              </Badge>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{item.campaign.name}</Text>
              <Text size="xs" c="dimmed">
                due <DateTime value={item.campaign.dueAt} />
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function grantedBy(item: QueueItem, names: ReadonlyMap<string, string>): string {
  if (!item.grantedBy) return item.source === 'scim' ? 'by the directory' : 'grantor unknown';
  return `by ${names.get(item.grantedBy) ?? item.grantedBy}`;
}
