import { Alert, Stack, Table, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { alertsApi } from './api.ts';
import { SeverityBadge } from './Badges.tsx';
import { RulesForm, thresholdLabel } from './RulesForm.tsx';

type Notice = { color: 'green' | 'yellow'; text: string };

/**
 * The detection rules as this organization has them: each one's state, severity and thresholds,
 * and the least severity mailed to the administrators. A holder of `alerts.manage` changes them
 * as a new version of the alert policy (If-Match: a version saved meanwhile is shown instead).
 */
export function RulesPanel({ orgId, canChange }: { orgId: string; canChange: boolean }) {
  const read = useLoaded(
    useCallback(async () => {
      const [rules, policy] = await Promise.all([
        alertsApi.rules(orgId),
        canChange ? alertsApi.policy(orgId) : undefined,
      ]);
      return { rules, policy };
    }, [orgId, canChange]),
  );
  const [notice, setNotice] = useState<Notice>();

  return (
    <Stack>
      <LoadState error={read.error} loading={!read.data} what="the alert rules" />
      {notice && (
        <Alert color={notice.color} role={notice.color === 'green' ? 'status' : 'alert'}>
          {notice.text}
        </Alert>
      )}
      {read.data && (
        <Text size="sm" c="dimmed">
          Version {read.data.rules.version}
          {read.data.rules.version === 0 && ' (Vigil’s defaults: never changed)'}
        </Text>
      )}
      {read.data &&
        (read.data.policy ? (
          <RulesForm
            key={read.data.policy.version}
            orgId={orgId}
            rules={read.data.rules}
            stored={read.data.policy}
            onSaved={async (version) => {
              setNotice({
                color: 'green',
                text: `Saved: the alert rules are now version ${version}.`,
              });
              await read.reload();
            }}
            onStale={async () => {
              setNotice({
                color: 'yellow',
                text: 'Someone else changed the alert rules after you opened them. Their version is shown now: make your change again if it is still needed.',
              });
              await read.reload();
            }}
          />
        ) : (
          <RulesTable rules={read.data.rules} />
        ))}
    </Stack>
  );
}

/** The rules as they are, for a reader without `alerts.manage`. */
function RulesTable({ rules }: { rules: Awaited<ReturnType<typeof alertsApi.rules>> }) {
  return (
    <Stack>
      <Text size="sm">
        Mailed to the administrators: alerts of severity <strong>{rules.emailMinSeverity}</strong>{' '}
        and above.
      </Text>
      <Table striped aria-label="Alert rules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Rule</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Severity</Table.Th>
            <Table.Th>Thresholds</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rules.rules.map((r) => (
            <Table.Tr key={r.key}>
              <Table.Td>
                <Text fw={600}>{r.name}</Text>
                <Text size="sm" c="dimmed">
                  {r.description}
                </Text>
              </Table.Td>
              <Table.Td>{r.enabled ? 'on' : 'off'}</Table.Td>
              <Table.Td>
                <SeverityBadge severity={r.severity} />
              </Table.Td>
              <Table.Td>
                {Object.entries(r.thresholds)
                  .map(([name, value]) => `${thresholdLabel(name)}: ${value}`)
                  .join('; ') || '—'}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
