import { Stack, Tabs, Text, Title } from '@mantine/core';
import { useParams, useSearchParams } from 'react-router';
import type { Access } from '../../access.ts';
import { AlertInbox } from './AlertInbox.tsx';
import { RulesPanel } from './RulesPanel.tsx';

/**
 * Security alerts (`alerts.read`): the inbox the detection rules fill, and the rules themselves
 * (docs/alerts.md). The open tab is kept in the address (`?tab=rules`), so that a link or a
 * reload opens it again.
 */
export function AlertsPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'rules' ? 'rules' : 'inbox';
  return (
    <Stack>
      <Title order={2}>Alerts</Title>
      <Text size="sm" c="dimmed">
        Raised by the detection rules as audit events are written; a burst is one alert. Each step
        taken on an alert is audited.
      </Text>
      <Tabs
        value={tab}
        keepMounted={false}
        onChange={(next) => setParams(next === 'rules' ? { tab: 'rules' } : {}, { replace: true })}
      >
        <Tabs.List>
          <Tabs.Tab value="inbox">Inbox</Tabs.Tab>
          <Tabs.Tab value="rules">Rules</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="inbox" pt="md">
          <AlertInbox key={orgId} orgId={orgId} readsUsers={access.permissions.has('users.read')} />
        </Tabs.Panel>
        <Tabs.Panel value="rules" pt="md">
          <RulesPanel
            key={orgId}
            orgId={orgId}
            canChange={access.permissions.has('alerts.manage')}
          />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
