import { Button, Group } from '@mantine/core';

/**
 * A row's buttons, each named with the row's name for screen readers and tests ("Delete SOC
 * pager"); the one labelled Delete in red.
 */
export function RowActions({
  name,
  actions,
}: {
  name: string;
  actions: [label: string, run: () => unknown][];
}) {
  return (
    <Group gap={4} wrap="nowrap">
      {actions.map(([label, run]) => (
        <Button
          key={label}
          size="xs"
          variant={label === 'Delete' ? 'light' : 'default'}
          color={label === 'Delete' ? 'red' : undefined}
          aria-label={`${label} ${name}`}
          onClick={() => void run()}
        >
          {label}
        </Button>
      ))}
    </Group>
  );
}
