import { Alert, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import type { Access } from '../../access.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { LoadState } from '../../components/LoadState.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { useUserNames } from '../../components/useUserNames.ts';
import { AddConflictRule } from './AddConflictRule.tsx';
import { accessApi, type ConflictRule, type Violation } from './api.ts';

/** Segregation of duties: the rules, and who breaks one now (held before the rule existed). */
export function ConflictRules({ access }: { access: Access }) {
  const orgId = useParams().orgId ?? access.orgId;
  const load = useCallback(
    () =>
      Promise.all([
        accessApi.conflictRules(orgId),
        accessApi.violations(orgId),
        accessApi.roles(orgId),
      ]),
    [orgId],
  );
  const loaded = useLoaded(load);
  const mayManage = access.permissions.has('roles.manage');
  const [rules, violations, roles] = loaded.data ?? [[], [], []];

  return (
    <Stack>
      <Title order={2}>Conflict rules</Title>
      <Text c="dimmed">
        Roles and permissions one person must not hold together. A grant or request that would break
        a rule is refused.
      </Text>
      {mayManage && loaded.data && (
        <AddConflictRule orgId={orgId} roles={roles} onAdded={() => loaded.reload()} />
      )}
      <LoadState error={loaded.error} loading={!loaded.data} what="the conflict rules" />
      {loaded.data && (
        <>
          <RuleTable
            rules={rules}
            mayManage={mayManage}
            onRemove={async (rule) => {
              await accessApi.removeConflictRule(orgId, rule.id);
              await loaded.reload();
            }}
          />
          <Violations
            orgId={orgId}
            violations={violations}
            canReadUsers={access.permissions.has('users.read')}
          />
        </>
      )}
    </Stack>
  );
}

function RuleTable({
  rules,
  mayManage,
  onRemove,
}: {
  rules: ConflictRule[];
  mayManage: boolean;
  onRemove: (rule: ConflictRule) => Promise<void>;
}) {
  const [removing, setRemoving] = useState<ConflictRule>();
  if (rules.length === 0)
    return (
      <Text c="dimmed">
        No rule yet.
        {mayManage ? ' Add one above, say: whoever audits access does not grant it.' : ''}
      </Text>
    );
  return (
    <>
      <Table striped aria-label="Conflict rules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Rule</Table.Th>
            <Table.Th>Not together</Table.Th>
            <Table.Th>Added</Table.Th>
            {mayManage && <Table.Th>Action</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rules.map((rule) => (
            <Table.Tr key={rule.id}>
              <Table.Td>
                {rule.name}
                <Text size="xs" c="dimmed">
                  {rule.description}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {rule.roles.map((r) => (
                    <Badge key={r} variant="light">
                      {r}
                    </Badge>
                  ))}
                  {rule.permissions.map((p) => (
                    <Badge key={p} variant="outline">
                      {p}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                <DateTime value={rule.created_at} />
              </Table.Td>
              {mayManage && (
                <Table.Td>
                  <Button
                    size="xs"
                    variant="default"
                    aria-label={`Remove ${rule.name}`}
                    onClick={() => setRemoving(rule)}
                  >
                    Remove
                  </Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <ConfirmDialog
        opened={removing !== undefined}
        title="Remove the rule"
        confirmLabel="Remove"
        danger
        onConfirm={async () => {
          if (removing) await onRemove(removing);
          setRemoving(undefined);
        }}
        onClose={() => setRemoving(undefined)}
      >
        <Text size="sm">
          Without “{removing?.name}”, one person may hold what it kept apart. The removal is
          audited.
        </Text>
      </ConfirmDialog>
    </>
  );
}

function Violations({
  orgId,
  violations,
  canReadUsers,
}: {
  orgId: string;
  violations: Violation[];
  canReadUsers: boolean;
}) {
  const names = useUserNames(
    orgId,
    violations.map((v) => v.userId),
    canReadUsers,
  );
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        Violations
      </Title>
      {violations.length === 0 ? (
        <Text c="dimmed">Nobody holds what a rule keeps apart.</Text>
      ) : (
        <>
          <Alert color="orange" title="Users who break a rule">
            They held these before the rule was added: take one of the roles away under Assignments.
          </Alert>
          <Table striped aria-label="Violations">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Rule</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {violations.map((v) => (
                <Table.Tr key={`${v.userId}/${v.ruleId}`}>
                  <Table.Td>{names.get(v.userId) ?? <code>{v.userId}</code>}</Table.Td>
                  <Table.Td>{v.rule}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}
