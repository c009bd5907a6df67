import { Alert, Badge, Button, Code, CopyButton, Group, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A value an administrator gives to the other side (an entity ID, a metadata URL, a redirect
 * URI), with a button that copies it; the button names the value for screen readers.
 */
export function CopyValue({ label, value }: { label: string; value: string | null | undefined }) {
  if (!value) return <Text c="dimmed">—</Text>;
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code style={{ wordBreak: 'break-all' }} aria-label={label}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="compact-xs" variant="default" aria-label={`Copy ${label}`} onClick={copy}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

/** Settings as a two-column table: what each is, and its value. */
export function SettingsTable({ label, rows }: { label: string; rows: [string, ReactNode][] }) {
  return (
    <Table variant="vertical" withTableBorder aria-label={label}>
      <Table.Tbody>
        {rows.map(([name, value]) => (
          <Table.Tr key={name}>
            <Table.Th w={260}>{name}</Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return (
    <Badge variant="light" color={enabled ? 'green' : 'gray'}>
      {enabled ? 'enabled' : 'disabled'}
    </Badge>
  );
}

/**
 * How long a certificate has left, in words with its colour as a second cue: red within 7 days
 * (and once expired), orange within 30, when the expiry alerts fire (docs/sso.md).
 */
export function DaysLeft({ days }: { days: number }) {
  if (days < 0)
    return (
      <Badge color="red" variant="filled">
        expired
      </Badge>
    );
  const text = days === 1 ? '1 day left' : `${days} days left`;
  if (days <= 7)
    return (
      <Badge color="red" variant="filled">
        {text}
      </Badge>
    );
  if (days <= 30)
    return (
      <Badge color="orange" variant="light">
        {text}
      </Badge>
    );
  return <Text size="sm">{text}</Text>;
}

/** Whole days from now to `iso` (negative once past), as the inventory counts them. */
export const daysUntil = (iso: string, now = Date.now()) =>
  Math.floor((Date.parse(iso) - now) / 86_400_000);

/** A list of short values, one a line, or "none". */
export function Values({ values }: { values: string[] }) {
  if (values.length === 0) return <Text c="dimmed">none</Text>;
  return (
    <Stack gap={2}>
      {values.map((v) => (
        <Code key={v} style={{ wordBreak: 'break-all' }}>
          {v}
        </Code>
      ))}
    </Stack>
  );
}

/** Lines of a text area, trimmed, blanks dropped. */
export const linesOf = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** A change made at once from a table or a page: its outcome in words above it. */
export type Notice = { ok: boolean; text: string };

export function NoticeAlert({ notice }: { notice: Notice | undefined }) {
  if (!notice) return null;
  return (
    <Alert color={notice.ok ? 'green' : 'red'} role={notice.ok ? 'status' : 'alert'}>
      {notice.text}
    </Alert>
  );
}

/** The message of a change that failed outside a form (an API refusal, or a fault). */
export const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
