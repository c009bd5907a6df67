import { Alert, Stack, Table } from '@mantine/core';
import { useCallback, useState } from 'react';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { type PolicyKind, type PolicyVersion, policiesApi } from './api.ts';
import { fieldsOf, shown } from './fields.ts';
import { PolicyForm } from './PolicyForm.tsx';

type Notice = { color: 'green' | 'yellow'; text: string };

/** One kind of policy: the form for a holder of `org.settings`, the settings for anyone else. */
export function PolicyPanel({
  orgId,
  kind,
  label,
  hasPresets,
  canChange,
}: {
  orgId: string;
  kind: PolicyKind;
  label: string;
  hasPresets: boolean;
  canChange: boolean;
}) {
  const read = useLoaded(
    useCallback(async () => {
      const [policy, presets] = await Promise.all([
        policiesApi.get(orgId, kind),
        hasPresets && canChange ? policiesApi.presets(orgId, kind) : [],
      ]);
      return { policy, presets };
    }, [orgId, kind, hasPresets, canChange]),
  );
  // The version saved here is shown at once, without reading it back.
  const [saved, setSaved] = useState<PolicyVersion>();
  const [notice, setNotice] = useState<Notice>();
  const current =
    saved && read.data && saved.version > read.data.policy.version ? saved : read.data?.policy;
  const what = `the ${label.toLowerCase()} policy`;

  async function stale() {
    setNotice({
      color: 'yellow',
      text: `Someone else changed ${what} after you opened it. Their version is shown now: make your change again if it is still needed.`,
    });
    await read.reload();
  }

  return (
    <Stack>
      <LoadState error={read.error} loading={!read.data} what={what} />
      {notice && (
        <Alert color={notice.color} role={notice.color === 'green' ? 'status' : 'alert'}>
          {notice.text}
        </Alert>
      )}
      {current &&
        read.data &&
        (canChange ? (
          <PolicyForm
            key={current.version}
            orgId={orgId}
            kind={kind}
            label={label}
            current={current}
            presets={read.data.presets}
            onSaved={(version) => {
              setSaved(version);
              setNotice({
                color: 'green',
                text: `Saved: ${what} is now version ${version.version}.`,
              });
            }}
            onStale={stale}
          />
        ) : (
          <PolicySettings kind={kind} label={label} current={current} />
        ))}
    </Stack>
  );
}

/** The settings in force, for someone who may read them but not change them. */
function PolicySettings({
  kind,
  label,
  current,
}: {
  kind: PolicyKind;
  label: string;
  current: PolicyVersion;
}) {
  const fields = fieldsOf[kind];
  return (
    <Table variant="vertical" withTableBorder aria-label={`${label} policy`}>
      <Table.Tbody>
        <Table.Tr>
          <Table.Th w={320}>Version</Table.Th>
          <Table.Td>{current.version === 0 ? '0 (Vigil’s default)' : current.version}</Table.Td>
        </Table.Tr>
        {'preset' in current.policy && (
          <Table.Tr>
            <Table.Th>Preset</Table.Th>
            <Table.Td>{String(current.policy.preset)}</Table.Td>
          </Table.Tr>
        )}
        {fields.map((field) => (
          <Table.Tr key={field.key}>
            <Table.Th>{field.label}</Table.Th>
            <Table.Td>{shown(field, current.policy[field.key])}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
