import { Accordion, Badge, Group, Text } from '@mantine/core';
import { useState } from 'react';
import type { Control } from './api.ts';
import { ControlStatusBadge, CriterionChip } from './Badges.tsx';
import { ControlDetails } from './ControlDetails.tsx';

/**
 * The controls in the catalog's order, each with its status and criteria; opening one shows what
 * it is, what its check tests, the exceptions found, its evidence files and its history. A
 * control's details are read only while it is open.
 */
export function ControlList({
  orgId,
  controls,
  criteria,
  lastRunAt,
  linksUsers,
}: {
  orgId: string;
  controls: Control[];
  criteria: Record<string, string>;
  /** The last run: an open control's history is read again after each. */
  lastRunAt: string | null;
  linksUsers: boolean;
}) {
  const [open, setOpen] = useState<string[]>([]);
  return (
    <Accordion multiple value={open} onChange={setOpen} variant="separated">
      {controls.map((control) => (
        <Accordion.Item key={control.id} value={control.id}>
          <Accordion.Control>
            <Group gap="sm" wrap="nowrap" justify="space-between">
              <Group gap="sm" wrap="nowrap">
                <ControlStatusBadge status={control.result?.status ?? null} />
                <Text fw={600}>{control.title}</Text>
                {control.scope === 'platform' && (
                  <Badge color="grape" variant="light">
                    Platform
                  </Badge>
                )}
              </Group>
              <Group gap={4} visibleFrom="sm">
                {control.criteria.map((c) => (
                  <CriterionChip key={c} criterion={c} text={criteria[c]} />
                ))}
              </Group>
            </Group>
            {control.result && (
              <Text size="sm" c="dimmed" mt={4}>
                {control.result.summary}
              </Text>
            )}
          </Accordion.Control>
          <Accordion.Panel>
            {open.includes(control.id) && (
              <ControlDetails
                key={lastRunAt}
                orgId={orgId}
                control={control}
                criteria={criteria}
                linksUsers={linksUsers}
              />
            )}
          </Accordion.Panel>
        </Accordion.Item>
      ))}
    </Accordion>
  );
}
