import {
  Alert,
  Anchor,
  Button,
  Card,
  Code,
  Group,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { type Access, may } from '../../access.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { useDownload } from '../../components/useDownload.ts';
import { useLoaded } from '../../components/useLoaded.ts';
import { type CampaignProgress, reviewsApi, scopeKinds } from './api.ts';
import { CampaignItems } from './CampaignItems.tsx';
import { StatusBadge } from './CampaignsPage.tsx';
import { ReviewersTable } from './ReviewersTable.tsx';

/**
 * A campaign's owner's view: its metrics, each reviewer's progress, its items (filtered), and
 * the close that applies the decisions; once closed, its signed evidence.
 */
export function CampaignPage({ access }: { access: Access }) {
  const { orgId = access.orgId, campaignId = '' } = useParams();
  const progress = useLoaded(
    useCallback(() => reviewsApi.progress(orgId, campaignId), [orgId, campaignId]),
  );
  // Bumped after a change (a reassignment, the close) so that the items are read again too.
  const [version, setVersion] = useState(0);
  const [closing, setClosing] = useState(false);
  const [closed, setClosed] = useState<{ clean: boolean }>();
  const campaign = progress.data;

  function changed() {
    setVersion((v) => v + 1);
    void progress.reload();
  }

  return (
    <Stack>
      <Anchor component={Link} to={`/orgs/${encodeURIComponent(orgId)}/reviews`} size="sm">
        ← Access reviews
      </Anchor>
      <LoadState error={progress.error} loading={!campaign} what="the campaign" />
      {campaign && (
        <>
          <Group justify="space-between">
            <Group gap="sm">
              <Title order={2}>{campaign.name}</Title>
              <StatusBadge campaign={campaign} />
            </Group>
            {campaign.status === 'open' ? (
              <Button color="red" onClick={() => setClosing(true)}>
                Close the campaign
              </Button>
            ) : (
              may(access, ['audit.read']) && <Evidence orgId={orgId} campaignId={campaign.id} />
            )}
          </Group>
          <Facts campaign={campaign} />
          {closed && (
            <Alert
              color={closed.clean ? 'green' : 'red'}
              role="alert"
              title={closed.clean ? 'Closed clean' : 'Closed, not clean'}
            >
              {closed.clean
                ? 'Every item had a reviewer; the decisions are applied.'
                : 'Some items had nobody but their subject to review them: the evidence says so.'}
            </Alert>
          )}
          <Unreviewable count={campaign.metrics.unreviewable} open={campaign.status === 'open'} />
          <Metrics campaign={campaign} />
          <Title order={3}>Reviewers</Title>
          <ReviewersTable reviewers={campaign.reviewers} />
          <Title order={3}>Items</Title>
          <CampaignItems
            key={version}
            orgId={orgId}
            campaign={campaign}
            canReassign={campaign.status === 'open'}
            onReassigned={changed}
          />
          <ConfirmDialog
            opened={closing}
            title="Close the campaign"
            confirmLabel="Close and apply"
            danger
            onClose={() => setClosing(false)}
            onConfirm={async () => {
              const answer = await reviewsApi.close(orgId, campaign.id);
              setClosed({ clean: answer.clean });
              setClosing(false);
              changed();
            }}
          >
            <CloseWarning campaign={campaign} />
          </ConfirmDialog>
        </>
      )}
    </Stack>
  );
}

/** What closing does, with the figures of this campaign. */
function CloseWarning({ campaign }: { campaign: CampaignProgress }) {
  const { items, decided, unreviewable } = campaign.metrics;
  const undecided = items - decided;
  return (
    <Stack gap="xs">
      <Text size="sm">
        Closing applies every decision: revoked and reduced access is taken away now, and the users
        who lose something are signed out everywhere. The campaign cannot be reopened.
      </Text>
      <Text size="sm" fw={600}>
        {undecided === 0
          ? 'Every item is decided.'
          : `${undecided} ${undecided === 1 ? 'item is' : 'items are'} undecided: ${
              campaign.undecidedPolicy === 'revoke' ? 'they will be revoked' : 'they will be kept'
            } (the campaign's policy).`}
      </Text>
      {unreviewable > 0 && (
        <Text size="sm" c="red" fw={600}>
          {unreviewable} {unreviewable === 1 ? 'item has' : 'items have'} no reviewer: the campaign
          will not close clean.
        </Text>
      )}
    </Stack>
  );
}

function Unreviewable({ count, open }: { count: number; open: boolean }) {
  if (count === 0) return null;
  return (
    <Alert color="red" title="Not clean" role="alert">
      {count} {count === 1 ? 'item has' : 'items have'} nobody but their subject to review them
      (nobody reviews their own access).{' '}
      {open
        ? 'Reassign them to someone else, or the campaign cannot close clean.'
        : 'The campaign closed without their review.'}
    </Alert>
  );
}

function Facts({ campaign }: { campaign: CampaignProgress }) {
  return (
    <Text size="sm" component="div">
      {scopeKinds[campaign.scope.kind]}
      {campaign.scope.clientId ? ` (client ${campaign.scope.clientId})` : ''} · launched{' '}
      <DateTime value={campaign.launchedAt} /> · due <DateTime value={campaign.dueAt} /> · undecided
      items are {campaign.undecidedPolicy === 'revoke' ? 'revoked' : 'kept'} at close
      {campaign.closedAt && (
        <>
          {' '}
          · closed <DateTime value={campaign.closedAt} />
        </>
      )}
      <Text size="xs" c="dimmed">
        Snapshot SHA-256 <Code>{campaign.snapshotSha256}</Code>
      </Text>
    </Text>
  );
}

function Metrics({ campaign }: { campaign: CampaignProgress }) {
  const m = campaign.metrics;
  const figures = [
    { label: 'Items', value: m.items },
    { label: 'Decided', value: m.decided },
    { label: 'Decided on time', value: m.onTime },
    { label: 'Revoked or reduced', value: m.revoked },
    { label: 'Unreviewable', value: m.unreviewable },
  ];
  return (
    <SimpleGrid cols={{ base: 2, md: 5 }} component="dl" aria-label="Metrics">
      {figures.map((f) => (
        <Card key={f.label} withBorder padding="sm">
          <Text component="dt" size="xs" c="dimmed">
            {f.label}
          </Text>
          <Text component="dd" size="xl" fw={600} m={0}>
            {f.value}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}

/** The closed campaign's signed evidence bundle (docs/reviews.md#evidence-export). */
function Evidence({ orgId, campaignId }: { orgId: string; campaignId: string }) {
  const { download, loading, refusal } = useDownload(async (_: 'json') => ({
    file: await reviewsApi.evidence(orgId, campaignId),
    name: `review-${campaignId}.evidence.json`,
  }));
  return (
    <Stack gap={4}>
      <Button variant="default" loading={loading('json')} onClick={() => download('json')}>
        Download evidence
      </Button>
      <RefusalAlert refusal={refusal} title="Not downloaded" />
    </Stack>
  );
}
