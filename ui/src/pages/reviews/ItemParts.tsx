import { Badge, Group, List, Text, Tooltip } from '@mantine/core';
import type { ReviewFlag, ReviewItem } from './api.ts';

/** Each flag's badge and what it means (docs/reviews.md#flags). */
export const flagInfo: Record<ReviewFlag, { label: string; meaning: string; color: string }> = {
  dormant: {
    label: 'Dormant',
    meaning: 'No sign-in for 90 days (or never since the account was made 90 days ago)',
    color: 'gray',
  },
  granted_outside_scim: {
    label: 'Granted outside SCIM',
    meaning: 'The HR directory manages this user, but an administrator granted this role',
    color: 'orange',
  },
  conflict_rule_hit: {
    label: 'Conflict rule hit',
    meaning: "The user's roles break a separation-of-duties rule",
    color: 'red',
  },
  past_end_date: {
    label: 'Past end date',
    meaning: "The user's end of employment has passed",
    color: 'red',
  },
};

export const flagKeys = Object.keys(flagInfo) as ReviewFlag[];

/** The item's flags as badges; hovering (or focusing) one says what it means. */
export function FlagBadges({ flags }: { flags: readonly ReviewFlag[] }) {
  if (flags.length === 0) return null;
  return (
    <Group gap={4} wrap="wrap">
      {flags.map((flag) => (
        <Tooltip key={flag} label={flagInfo[flag].meaning} withArrow multiline w={260}>
          <Badge
            size="sm"
            variant="light"
            color={flagInfo[flag].color}
            tabIndex={0}
            aria-label={`${flagInfo[flag].label}: ${flagInfo[flag].meaning}`}
          >
            {flagInfo[flag].label}
          </Badge>
        </Tooltip>
      ))}
    </Group>
  );
}

/** The flags' meanings in one place, for a reviewer who does not hover. */
export function FlagLegend() {
  return (
    <List size="xs" aria-label="What the flags mean">
      {flagKeys.map((flag) => (
        <List.Item key={flag}>
          <Text span size="xs" fw={600}>
            {flagInfo[flag].label}
          </Text>
          : {flagInfo[flag].meaning}.
        </List.Item>
      ))}
    </List>
  );
}

/** What the subject holds: a role, an API key, or an OAuth client's grant. */
export function heldLabel(item: ReviewItem): string {
  if (item.roleKey) return `Role ${item.roleKey}`;
  if (item.apiKeyId) return `API key ${item.apiKeyName ?? item.apiKeyId}`;
  if (item.clientId) return `OAuth client ${item.clientId}`;
  return '—';
}

/** The access and its permissions, with the privileged and SCIM badges. */
export function HeldCell({ item }: { item: ReviewItem }) {
  return (
    <>
      <Group gap={4}>
        <Text size="sm">{heldLabel(item)}</Text>
        {item.privileged && (
          <Badge size="xs" color="red" variant="light">
            Privileged
          </Badge>
        )}
        {item.source === 'scim' && (
          <Badge
            size="xs"
            variant="light"
            color="grape"
            title="Granted through the directory's groups (SCIM)"
          >
            SCIM
          </Badge>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        {item.permissions.join(', ') || 'no permission'}
      </Text>
    </>
  );
}

export function SubjectCell({ item }: { item: ReviewItem }) {
  return (
    <>
      <Text size="sm">{item.subject.name || item.subject.email}</Text>
      <Text size="xs" c="dimmed">
        {item.subject.email}
      </Text>
    </>
  );
}
