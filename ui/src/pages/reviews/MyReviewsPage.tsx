import { Alert, Group, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { type Access, may } from '../../access.ts';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useUserNames } from '../../components/useUserNames.ts';
import { type QueueFilter, reviewsApi } from './api.ts';
import { DecisionBar } from './DecisionBar.tsx';
import { FilterSelect, ItemTraitFilters } from './FilterSelect.tsx';
import { FlagLegend } from './ItemParts.tsx';
import { QueueTable } from './QueueTable.tsx';

/**
 * My reviews: the signed-in reviewer's undecided items of open campaigns
 * (docs/reviews.md#decisions), filtered by campaign, flag and privilege, decided in bulk. The
 * server never puts the reviewer's own access here; it refuses a decision on it all the same.
 */
export function MyReviewsPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const [filter, setFilter] = useState<QueueFilter>({});
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState<string>();
  const queue = useLoaded(useCallback(() => reviewsApi.queue(orgId, filter), [orgId, filter]));
  const items = queue.data ?? [];

  // The campaigns met so far stay pickable while a filter narrows the list to one of them.
  const [campaigns, setCampaigns] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    if (!queue.data?.length) return;
    setCampaigns((known) => {
      const next = new Map(known);
      for (const i of queue.data ?? []) next.set(i.campaign.id, i.campaign.name);
      return next.size === known.size ? known : next;
    });
  }, [queue.data]);

  // Who granted each access: the subjects' emails are in the queue; others read if allowed.
  const subjects = useMemo(
    () => new Map(items.map((i) => [i.subject.id, i.subject.email])),
    [items],
  );
  const read = useUserNames(
    orgId,
    items.flatMap((i) => (i.grantedBy && !subjects.has(i.grantedBy) ? [i.grantedBy] : [])),
    may(access, ['users.read']),
  );
  const names = useMemo(() => new Map([...read, ...subjects]), [read, subjects]);

  const selectedItems = items.filter((i) => selected.has(i.id));
  const filtered = Object.values(filter).some(Boolean);
  const change = (patch: QueueFilter) => {
    setSelected(new Set());
    setFilter({ ...filter, ...patch });
  };

  return (
    <Stack>
      <Title order={2}>My reviews</Title>
      <Text size="sm" c="dimmed">
        The access you are asked to review: keep what each person still needs, revoke or reduce the
        rest. A decided item leaves this list; what you decided takes effect when the campaign
        closes.
      </Text>
      <Group align="flex-end" gap="sm" role="search" aria-label="Filter the items">
        <FilterSelect
          label="Campaign"
          anyLabel="Every campaign"
          options={[...campaigns].map(([value, label]) => ({ value, label }))}
          value={filter.campaignId}
          onChange={(v) => change({ campaignId: v })}
        />
        <ItemTraitFilters filter={filter} onChange={change} />
      </Group>
      <FlagLegend />
      {message && (
        <Alert color="green" role="status" withCloseButton onClose={() => setMessage(undefined)}>
          {message}
        </Alert>
      )}
      <LoadState error={queue.error} loading={!queue.data} what="your review items" />
      {queue.data &&
        (items.length === 0 ? (
          <Text role="status">
            {filtered ? 'No item matches these filters.' : 'Nothing left to review.'}
          </Text>
        ) : (
          <>
            <DecisionBar
              selected={selectedItems}
              queue={items}
              decide={(input) => reviewsApi.decide(orgId, input)}
              onDecided={(text) => {
                setMessage(text);
                setSelected(new Set());
                void queue.reload();
              }}
            />
            <QueueTable items={items} selected={selected} onSelect={setSelected} names={names} />
          </>
        ))}
    </Stack>
  );
}
