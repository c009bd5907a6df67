import { Alert, Button, Group, MultiSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { Role } from '../../api.ts';
import { LoadState } from '../../components/LoadState.tsx';
import { RefusalAlert } from '../../components/Refusal.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useSending } from '../../components/useSending.ts';
import { directoryApi, type MappedGroup, type SyncOutcome } from './api.ts';

/**
 * The groups the directory pushed and the roles each maps to: a member holds them while active,
 * granted through the normal rules (a role that needs approval becomes an access request), and
 * loses them on leaving the group (docs/scim.md#groups-and-roles).
 */
export function GroupRoles({ orgId }: { orgId: string }) {
  const groups = useLoaded(useCallback(() => directoryApi.groups(orgId), [orgId]));
  const roles = useLoaded(useCallback(() => directoryApi.roles(orgId), [orgId]));
  return (
    <Stack>
      <Title order={3}>Groups and roles</Title>
      <Text size="sm" c="dimmed">
        Members of a group hold the roles it maps to for as long as they are in it. A role that
        needs approval is asked for in an access request naming the group; a conflict rule can
        refuse a role (the audit log says why). Roles an administrator gave stay as they are.
      </Text>
      <LoadState
        error={groups.error ?? roles.error}
        loading={!groups.data || !roles.data}
        what="the directory's groups"
      />
      {groups.data && roles.data && (
        <GroupTable orgId={orgId} groups={groups.data} roles={roles.data} onSaved={groups.reload} />
      )}
    </Stack>
  );
}

function GroupTable({
  orgId,
  groups,
  roles,
  onSaved,
}: {
  orgId: string;
  groups: MappedGroup[];
  roles: Role[];
  onSaved: () => Promise<void>;
}) {
  if (groups.length === 0)
    return (
      <Text c="dimmed">
        The directory has pushed no group yet: assign groups to the provisioning app in the
        directory.
      </Text>
    );
  return (
    <Table striped aria-label="SCIM groups">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Group</Table.Th>
          <Table.Th>Members</Table.Th>
          <Table.Th>Roles its members hold</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {groups.map((group) => (
          <Table.Tr key={group.id}>
            <Table.Td>
              {group.displayName}
              {group.externalId && (
                <Text size="xs" c="dimmed">
                  {group.externalId}
                </Text>
              )}
            </Table.Td>
            <Table.Td>{group.members}</Table.Td>
            <Table.Td>
              <GroupRoleForm orgId={orgId} group={group} roles={roles} onSaved={onSaved} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** One group's roles: pick, save, and what the save did to its members. */
function GroupRoleForm({
  orgId,
  group,
  roles,
  onSaved,
}: {
  orgId: string;
  group: MappedGroup;
  roles: Role[];
  onSaved: () => Promise<void>;
}) {
  const [picked, setPicked] = useState<string[]>(group.roleKeys);
  const [outcome, setOutcome] = useState<SyncOutcome>();
  const { busy, refusal, send } = useSending();
  const changed = [...picked].sort().join() !== [...group.roleKeys].sort().join();

  function save() {
    void send(async () => {
      const answer = await directoryApi.setGroupRoles(orgId, group.id, picked);
      setOutcome(answer.sync);
      await onSaved();
    });
  }

  return (
    <Stack gap="xs">
      <RefusalAlert refusal={refusal} title="Not saved" />
      <Group align="flex-end" wrap="nowrap">
        <MultiSelect
          label={`Roles of ${group.displayName}`}
          placeholder={picked.length ? undefined : 'No role'}
          data={roles.map((r) => ({ value: r.key, label: r.name }))}
          value={picked}
          onChange={(keys) => {
            setPicked(keys);
            setOutcome(undefined);
          }}
          searchable
          clearable
          w={360}
        />
        <Button
          onClick={save}
          loading={busy}
          disabled={!changed}
          aria-label={`Save the roles of ${group.displayName}`}
        >
          Save
        </Button>
      </Group>
      {outcome && (
        <Alert color="green" title="Saved" role="status">
          {summary(outcome)}
        </Alert>
      )}
    </Stack>
  );
}

/** What a sync did, in words. */
function summary(outcome: SyncOutcome): string {
  const parts = [
    [outcome.assigned, 'role assigned', 'roles assigned'],
    [outcome.requested, 'access request opened', 'access requests opened'],
    [outcome.removed, 'role removed', 'roles removed'],
    [outcome.withdrawn, 'request withdrawn', 'requests withdrawn'],
    [outcome.refused, 'role refused by a conflict rule', 'roles refused by conflict rules'],
  ] as const;
  const said = parts
    .filter(([count]) => count > 0)
    .map(([count, one, many]) => `${count} ${count === 1 ? one : many}`);
  return said.length ? `Members: ${said.join(', ')}.` : "No member's roles changed.";
}
