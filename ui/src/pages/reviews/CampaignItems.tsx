import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type CampaignProgress, type ItemFilter, type ReviewItem, reviewsApi } from './api.ts';
import { FilterSelect, ItemTraitFilters } from './FilterSelect.tsx';
import { FlagBadges, HeldCell, SubjectCell } from './ItemParts.tsx';
import { ReassignDialog } from './ReassignDialog.tsx';

const decisionColor = { keep: 'green', revoke: 'red', reduce: 'orange' } as const;

/** The campaign's items in snapshot order, filtered by reviewer, decision, flag and privilege. */
export function CampaignItems({
  orgId,
  campaign,
  canReassign,
  onReassigned,
}: {
  orgId: string;
  campaign: CampaignProgress;
  canReassign: boolean;
  onReassigned: () => void;
}) {
  const [filter, setFilter] = useState<ItemFilter>({});
  const [reassigning, setReassigning] = useState<ReviewItem>();
  const items = useLoaded(
    useCallback(() => reviewsApi.items(orgId, campaign.id, filter), [orgId, campaign.id, filter]),
  );
  const set = (patch: ItemFilter) => setFilter({ ...filter, ...patch });

  return (
    <Stack gap="sm">
      <Group align="flex-end" gap="sm" role="search" aria-label="Filter the items">
        <FilterSelect
          label="Reviewer"
          anyLabel="Any reviewer"
          options={campaign.reviewers.map(({ reviewer }) => ({
            value: reviewer.id,
            label: reviewer.email,
          }))}
          value={filter.reviewerId}
          onChange={(v) => set({ reviewerId: v })}
        />
        <FilterSelect
          label="Decision"
          anyLabel="Any decision"
          options={[
            { value: 'undecided', label: 'Undecided' },
            { value: 'keep', label: 'Keep' },
            { value: 'revoke', label: 'Revoke' },
            { value: 'reduce', label: 'Reduce' },
          ]}
          value={filter.decision}
          onChange={(v) => set({ decision: v })}
        />
        <ItemTraitFilters filter={filter} onChange={set} />
      </Group>
      <LoadState error={items.error} loading={!items.data} what="the items" />
      {items.data &&
        (items.data.length === 0 ? (
          <Text c="dimmed">No item matches.</Text>
        ) : (
          <Table striped aria-label="Campaign items">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Access</Table.Th>
                <Table.Th>Flags</Table.Th>
                <Table.Th>Reviewer</Table.Th>
                <Table.Th>Decision</Table.Th>
                <Table.Th>Outcome</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.data.map((item) => (
                <Table.Tr key={item.id}>
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
                    <ReviewerCell
                      item={item}
                      onReassign={canReassign ? () => setReassigning(item) : undefined}
                    />
                  </Table.Td>
                  <Table.Td>
                    <DecisionCell item={item} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{item.outcome ?? '—'}</Text>
                    {item.revokedAt && (
                      <Text size="xs" c="dimmed">
                        <DateTime value={item.revokedAt} />
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ))}
      {reassigning && (
        <ReassignDialog
          orgId={orgId}
          item={reassigning}
          onClose={() => setReassigning(undefined)}
          onReassigned={() => {
            setReassigning(undefined);
            onReassigned();
          }}
        />
      )}
    </Stack>
  );
}

function ReviewerCell({ item, onReassign }: { item: ReviewItem; onReassign?: () => void }) {
  return (
    <Stack gap={2} align="flex-start">
      {item.reviewer ? (
        <Text size="sm">{item.reviewer.email}</Text>
      ) : (
        <Badge color="red" variant="light" title="Nobody but the subject could review it">
          Unreviewable
        </Badge>
      )}
      {onReassign && (
        <Button
          size="compact-xs"
          variant="default"
          onClick={onReassign}
          aria-label={`Reassign ${item.subject.email}: ${item.roleKey ?? item.apiKeyName ?? item.clientId}`}
        >
          Reassign
        </Button>
      )}
    </Stack>
  );
}

function DecisionCell({ item }: { item: ReviewItem }) {
  if (!item.decision) return <Text size="sm">undecided</Text>;
  return (
    <Stack gap={2}>
      <Badge color={decisionColor[item.decision]} variant="light">
        {item.decision}
      </Badge>
      {item.droppedRoleKeys && <Text size="xs">drops {item.droppedRoleKeys.join(', ')}</Text>}
      {item.justification && <Text size="xs">“{item.justification}”</Text>}
      <Text size="xs" c="dimmed">
        {item.decidedBy?.email ?? '—'} · <DateTime value={item.decidedAt} />
      </Text>
    </Stack>
  );
}
