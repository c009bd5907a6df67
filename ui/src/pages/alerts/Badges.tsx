import { Badge } from '@mantine/core';
import type { AlertStatus, Severity } from './api.ts';

const severityColor: Record<Severity, string> = {
  low: 'gray',
  medium: 'yellow',
  high: 'orange',
  critical: 'red',
};

const statusColor: Record<AlertStatus, string> = {
  open: 'red',
  acknowledged: 'blue',
  resolved: 'green',
};

/** A severity by its word, its colour only a second cue (never colour alone). */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <Badge color={severityColor[severity]} variant={severity === 'critical' ? 'filled' : 'light'}>
      {severity}
    </Badge>
  );
}

export function AlertStatusBadge({ status }: { status: AlertStatus }) {
  return (
    <Badge color={statusColor[status]} variant="light">
      {status}
    </Badge>
  );
}

export const severityChoices = (['low', 'medium', 'high', 'critical'] as const).map((s) => ({
  value: s,
  label: s.charAt(0).toUpperCase() + s.slice(1),
}));
