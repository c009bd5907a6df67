import { Badge } from '@mantine/core';

/**
 * Marks what the HR directory granted or asked for (its SCIM groups): it follows their
 * membership, unlike an administrator's grant (docs/scim.md#groups-and-roles).
 */
export function SourceBadge({ source }: { source: 'admin' | 'scim' }) {
  if (source !== 'scim') return null;
  return (
    <Badge
      size="xs"
      variant="light"
      color="grape"
      ml={6}
      title="Granted through the directory's groups (SCIM)"
    >
      SCIM
    </Badge>
  );
}
