import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type Campaign, reviewsApi, scopeKinds } from './api.ts';
import { LaunchDialog } from './LaunchDialog.tsx';

/**
 * Access reviews: the organization's campaigns, newest first, with their completion metrics
 * (docs/reviews.md#metrics), and a campaign launched by hand.
 */
export function CampaignsPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const navigate = useNavigate();
  const [launching, setLaunching] = useState(false);
  const campaigns = useLoaded(useCallback(() => reviewsApi.campaigns(orgId), [orgId]));

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Access reviews</Title>
        <Button onClick={() => setLaunching(true)}>Launch a campaign</Button>
      </Group>
      <Text size="sm" c="dimmed">
        Each campaign asks reviewers to keep, revoke or reduce the access of its scope as of its
        launch; closing it applies their decisions. Schedules in the reviews policy launch them too.
      </Text>
      <LoadState error={campaigns.error} loading={!campaigns.data} what="the campaigns" />
      {campaigns.data &&
        (campaigns.data.length === 0 ? (
          <Text c="dimmed">No campaign yet: launch one, or set a schedule in the policies.</Text>
        ) : (
          <CampaignTable orgId={orgId} campaigns={campaigns.data} />
        ))}
      <LaunchDialog
        orgId={orgId}
        opened={launching}
        onClose={() => setLaunching(false)}
        onLaunched={(c) =>
          navigate(`/orgs/${encodeURIComponent(orgId)}/reviews/${encodeURIComponent(c.id)}`)
        }
      />
    </Stack>
  );
}

export function StatusBadge({ campaign }: { campaign: Campaign }) {
  const late = campaign.status === 'open' && Date.parse(campaign.dueAt) < Date.now();
  return (
    <Badge variant="light" color={campaign.status === 'closed' ? 'gray' : late ? 'red' : 'blue'}>
      {campaign.status === 'closed' ? 'closed' : late ? 'overdue' : 'open'}
    </Badge>
  );
}

function CampaignTable({ orgId, campaigns }: { orgId: string; campaigns: Campaign[] }) {
  return (
    <Table striped aria-label="Campaigns">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Scope</Table.Th>
          <Table.Th>Launched</Table.Th>
          <Table.Th>Due</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Items</Table.Th>
          <Table.Th>Decided</Table.Th>
          <Table.Th>On time</Table.Th>
          <Table.Th>Revoked</Table.Th>
          <Table.Th>Unreviewable</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {campaigns.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td>
              <Anchor
                component={Link}
                to={`/orgs/${encodeURIComponent(orgId)}/reviews/${encodeURIComponent(c.id)}`}
              >
                {c.name}
              </Anchor>
            </Table.Td>
            <Table.Td>{scopeKinds[c.scope.kind]}</Table.Td>
            <Table.Td>
              <DateTime value={c.launchedAt} />
            </Table.Td>
            <Table.Td>
              <DateTime value={c.dueAt} />
            </Table.Td>
            <Table.Td>
              <StatusBadge campaign={c} />
            </Table.Td>
            <Table.Td>{c.metrics.items}</Table.Td>
            <Table.Td>{c.metrics.decided}</Table.Td>
            <Table.Td>{c.metrics.onTime}</Table.Td>
            <Table.Td>{c.metrics.revoked}</Table.Td>
            <Table.Td>
              {c.metrics.unreviewable > 0 ? (
                <Text span c="red" fw={600}>
                  {c.metrics.unreviewable}
                </Text>
              ) : (
                0
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
