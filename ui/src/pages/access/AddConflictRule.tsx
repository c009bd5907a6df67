import {
  Button,
  Card,
  Group,
  MultiSelect,
  SimpleGrid,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { accessApi, type RoleDetail } from './api.ts';
import { permissionChoices } from './RoleForm.tsx';

/** A segregation-of-duties rule: roles and permissions one user must not hold together. */
export function AddConflictRule({
  orgId,
  roles,
  onAdded,
}: {
  orgId: string;
  roles: RoleDetail[];
  onAdded: () => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [roleKeys, setRoleKeys] = useState<string[]>([]);
  const [permissions, setPermissions] = useState<string[]>([]);
  const { busy, refusal, send } = useSending();

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      await accessApi.addConflictRule(orgId, {
        name,
        description,
        roles: roleKeys,
        permissions,
      });
      setName('');
      setDescription('');
      setRoleKeys([]);
      setPermissions([]);
      await onAdded();
    });
  }

  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="Add a conflict rule">
      <Stack gap="sm">
        <Title order={3} size="h5">
          Add a conflict rule
        </Title>
        <RefusalAlert refusal={refusal} title="Not added" />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Name"
            description="Named when a grant is refused"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(refusal, 'name')}
          />
          <TextInput
            label="Description"
            description="Why these must stay apart"
            required
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={fieldError(refusal, 'description')}
          />
          <MultiSelect
            label="Roles"
            description="Holding all of these together breaks the rule"
            searchable
            data={roles.map((r) => ({ value: r.key, label: r.name }))}
            value={roleKeys}
            onChange={setRoleKeys}
            error={fieldError(refusal, 'roles')}
          />
          <MultiSelect
            label="Permissions"
            description="…and all of these; at least two items in all"
            searchable
            data={permissionChoices(roles)}
            value={permissions}
            onChange={setPermissions}
            error={fieldError(refusal, 'permissions')}
          />
        </SimpleGrid>
        <Group>
          <Button type="submit" loading={busy}>
            Add rule
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
