import { Stack, Tabs, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { policyKinds } from './fields.ts';
import { PolicyPanel } from './PolicyPanel.tsx';

/** The organization's security policies, one tab each; `org.settings` may change them. */
export function PoliciesPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const canChange = access.permissions.has('org.settings');
  return (
    <Stack>
      <Title order={2}>Policies</Title>
      <Text size="sm" c="dimmed">
        Each change is a new version, audited with before and after.
      </Text>
      <Tabs defaultValue={policyKinds[0]?.kind} keepMounted={false}>
        <Tabs.List>
          {policyKinds.map(({ kind, label }) => (
            <Tabs.Tab key={kind} value={kind}>
              {label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {policyKinds.map(({ kind, label, hasPresets }) => (
          <Tabs.Panel key={kind} value={kind} pt="md">
            <PolicyPanel
              orgId={orgId}
              kind={kind}
              label={label}
              hasPresets={hasPresets}
              canChange={canChange}
            />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
