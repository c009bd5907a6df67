import { Progress, Table, Text } from '@mantine/core';
import type { CampaignProgress } from './api.ts';

/** How far each reviewer got: items assigned to them and decided. */
export function ReviewersTable({ reviewers }: { reviewers: CampaignProgress['reviewers'] }) {
  if (reviewers.length === 0) return <Text c="dimmed">No item has a reviewer.</Text>;
  return (
    <Table striped aria-label="Reviewers">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Reviewer</Table.Th>
          <Table.Th>Assigned</Table.Th>
          <Table.Th>Decided</Table.Th>
          <Table.Th>Progress</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {reviewers.map(({ reviewer, assigned, decided }) => (
          <Table.Tr key={reviewer.id}>
            <Table.Td>
              <Text size="sm">{reviewer.name || reviewer.email}</Text>
              <Text size="xs" c="dimmed">
                {reviewer.email}
              </Text>
            </Table.Td>
            <Table.Td>{assigned}</Table.Td>
            <Table.Td>{decided}</Table.Td>
            <Table.Td miw={120}>
              <Progress
                value={assigned === 0 ? 100 : (100 * decided) / assigned}
                color={decided === assigned ? 'green' : 'blue'}
                aria-label={`${reviewer.email}: ${decided} of ${assigned} decided`}
              />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
