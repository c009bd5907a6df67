import { Badge } from '@mantine/core';
import type { UserStatus } from './api.ts';

const colors: Record<UserStatus, string> = {
  active: 'green',
  suspended: 'orange',
  deprovisioned: 'gray',
};

export function StatusBadge({ status }: { status: UserStatus }) {
  return (
    <Badge color={colors[status]} variant="light">
      {status}
    </Badge>
  );
}
