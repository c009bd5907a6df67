import { Badge } from '@mantine/core';
import type { ControlStatus } from './api.ts';

const look: Record<ControlStatus | 'unchecked', { label: string; color: string }> = {
  pass: { label: 'Passing', color: 'green' },
  fail: { label: 'Failing', color: 'red' },
  not_applicable: { label: 'Not applicable', color: 'gray' },
  unchecked: { label: 'Not checked', color: 'yellow' },
};

/** A control's status by its word, its colour only a second cue (never colour alone). */
export function ControlStatusBadge({ status }: { status: ControlStatus | null }) {
  const { label, color } = look[status ?? 'unchecked'];
  return (
    <Badge color={color} variant={status === 'fail' ? 'filled' : 'light'}>
      {label}
    </Badge>
  );
}

/**
 * The SOC 2 criterion a control supports, by its number; its sentence shows on hover, and in the
 * control's details for the keyboard and screen readers.
 */
export function CriterionChip({
  criterion,
  text,
}: {
  criterion: string;
  text: string | undefined;
}) {
  return (
    <Badge color="blue" variant="outline" radius="sm" tt="none" title={text}>
      {criterion}
    </Badge>
  );
}
