import { Stack, Tabs, Text, Title } from '@mantine/core';
import { useParams, useSearchParams } from 'react-router';
import type { Access } from '../../access.ts';
import { policyKinds } from './fields.ts';
import { PolicyPanel } from './PolicyPanel.tsx';

/**
 * The organization's security policies, one tab each; `org.settings` may change them (the SSO
 * policy: `sso.manage`, as the API asks).
 */
export function PoliciesPage({ access }: { access: Access }) {
  const { orgId = access.orgId } = useParams();
  // A link may open a kind's tab (`?tab=sso`, from the Single sign-on section).
  const [params] = useSearchParams();
  const named = policyKinds.find((k) => k.kind === params.get('tab'))?.kind;
  return (
    <Stack>
      <Title order={2}>Policies</Title>
      <Text size="sm" c="dimmed">
        Each change is a new version, audited with before and after.
      </Text>
      <Tabs defaultValue={named ?? policyKinds[0]?.kind} keepMounted={false}>
        <Tabs.List>
          {policyKinds.map(({ kind, label }) => (
            <Tabs.Tab key={kind} value={kind}>
              {label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {policyKinds.map(({ kind, label, hasPresets, permission = 'org.settings' }) => (
          <Tabs.Panel key={kind} value={kind} pt="md">
            <PolicyPanel
              orgId={orgId}
              kind={kind}
              label={label}
              hasPresets={hasPresets}
              canChange={access.permissions.has(permission)}
            />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
