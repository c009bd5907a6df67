import {
  Button,
  Card,
  Checkbox,
  Group,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import type { RoleDetail, RoleInput } from './api.ts';

type Flags = Required<Pick<RoleInput, 'privileged' | 'requireMfa' | 'requiresApproval'>>;

/**
 * The flags to send: those that differ from what the server would decide without them (on
 * creation: not privileged, MFA and approval as privileged; on a change: the role's own). So a
 * role with a high-risk permission, which the server makes privileged, is not refused for a box
 * the user never touched, while a flag they did lower is sent and refused with the reason.
 */
export function flagsToSend(chosen: Flags, current: Flags | undefined): Partial<Flags> {
  const base = current ?? {
    privileged: false,
    requireMfa: chosen.privileged,
    requiresApproval: chosen.privileged,
  };
  const sent: Partial<Flags> = {};
  for (const flag of ['privileged', 'requireMfa', 'requiresApproval'] as const)
    if (chosen[flag] !== base[flag]) sent[flag] = chosen[flag];
  return sent;
}

/** The permissions a custom role may be given: those of the organization's roles. */
export function permissionChoices(roles: readonly RoleDetail[]): string[] {
  return [...new Set(roles.filter((r) => !r.platformOnly).flatMap((r) => r.permissions))].sort();
}

interface RoleFormProps {
  title: string;
  /** The role being changed; none when one is created. */
  role?: RoleDetail;
  choices: string[];
  submitLabel: string;
  /** Sends the form (`key`: the new role's, or the changed one's): throws the API's refusal. */
  onSubmit: (input: RoleInput, key: string) => Promise<void>;
  onCancel: () => void;
  /** Shown above the buttons (say, what to do after a stale version). */
  footer?: ReactNode;
}

/** A custom role's fields: name, description, purpose, permissions and its controls. */
export function RoleForm({
  title,
  role,
  choices,
  submitLabel,
  onSubmit,
  onCancel,
  footer,
}: RoleFormProps) {
  const [key, setKey] = useState('');
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [purpose, setPurpose] = useState(role?.purpose ?? '');
  const [permissions, setPermissions] = useState<string[]>(role?.permissions ?? []);
  const [flags, setFlags] = useState<Flags>({
    privileged: role?.privileged ?? false,
    requireMfa: role?.requireMfa ?? false,
    requiresApproval: role?.requiresApproval ?? false,
  });
  const { busy, refusal, send } = useSending();

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      await onSubmit(
        { name, description, purpose, permissions, ...flagsToSend(flags, role) },
        role?.key ?? key.trim(),
      );
    });
  }

  // Privileged roles ask for MFA and approval unless told otherwise: the boxes follow.
  const setPrivileged = (privileged: boolean) =>
    setFlags({ privileged, requireMfa: privileged, requiresApproval: privileged });

  return (
    <Card withBorder component="form" onSubmit={submit} aria-label={title}>
      <Stack gap="sm">
        <Title order={3} size="h5">
          {title}
        </Title>
        <RefusalAlert refusal={refusal} title="Not saved" />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {!role && (
            <TextInput
              label="Key"
              description="Lowercase letters, digits and hyphens; it cannot change later"
              required
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={refusal?.fields.key}
            />
          )}
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={refusal?.fields.name}
          />
        </SimpleGrid>
        <Textarea
          label="Description"
          description="What holders of the role do"
          required
          autosize
          minRows={2}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={refusal?.fields.description}
        />
        <Textarea
          label="Purpose"
          description="The business need the role answers (reviewers read it)"
          required
          autosize
          minRows={2}
          value={purpose}
          onChange={(e) => setPurpose(e.currentTarget.value)}
          error={refusal?.fields.purpose}
        />
        <Checkbox.Group
          label="Permissions"
          description="Only permissions you hold yourself can be given"
          value={permissions}
          onChange={setPermissions}
          error={fieldError(refusal, 'permissions')}
        >
          <SimpleGrid cols={{ base: 1, sm: 3 }} mt="xs">
            {choices.map((p) => (
              <Checkbox key={p} value={p} label={p} />
            ))}
          </SimpleGrid>
        </Checkbox.Group>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Controls
          </Text>
          <Text size="xs" c="dimmed">
            A role with a high-risk permission is always privileged, with MFA and approval.
          </Text>
          <Checkbox
            label="Privileged (reviewed more often)"
            checked={flags.privileged}
            onChange={(e) => setPrivileged(e.currentTarget.checked)}
          />
          <Checkbox
            label="Holders must use a second factor"
            checked={flags.requireMfa}
            onChange={(e) => setFlags({ ...flags, requireMfa: e.currentTarget.checked })}
          />
          <Checkbox
            label="Assigning it needs another administrator's approval"
            checked={flags.requiresApproval}
            onChange={(e) => setFlags({ ...flags, requiresApproval: e.currentTarget.checked })}
          />
        </Stack>
        {footer}
        <Group>
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
