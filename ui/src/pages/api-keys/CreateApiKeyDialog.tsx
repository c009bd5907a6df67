import {
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { Access } from '../../access.ts';
import { fieldError, RefusalAlert } from '../../components/Refusal.tsx';
import { useSending } from '../../components/useSending.ts';
import { apiKeysApi } from './api.ts';

/**
 * The permissions a key of `orgId` may carry: those its creator holds (a key is never wider than
 * them), without the platform's outside the platform organization.
 */
export function grantable(access: Access, orgId: string): string[] {
  return [...access.permissions]
    .filter((p) => orgId === access.orgId || !p.startsWith('platform.'))
    .sort();
}

const defaultDays = 90;

/** Creates a key; its token goes to `onCreated`, which shows it once. */
export function CreateApiKeyDialog({
  orgId,
  access,
  opened,
  onClose,
  onCreated,
}: {
  orgId: string;
  access: Access;
  opened: boolean;
  onClose: () => void;
  onCreated: (answer: { token: string }) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState<string[]>([]);
  const [days, setDays] = useState<number | string>(defaultDays);
  const { busy, refusal, send, clear } = useSending();

  function reset() {
    setName('');
    setPermissions([]);
    setDays(defaultDays);
    clear();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void send(async () => {
      const answer = await apiKeysApi.create(orgId, {
        name: name.trim(),
        permissions,
        expiresInDays: Number(days),
      });
      reset();
      await onCreated(answer);
    });
  }

  return (
    <Modal
      opened={opened}
      onClose={() => {
        reset();
        onClose();
      }}
      title="Create an API key"
      size="lg"
    >
      <form onSubmit={submit} aria-label="Create an API key">
        <Stack gap="sm">
          <RefusalAlert refusal={refusal} title="Not created" />
          <TextInput
            label="Name"
            description="What uses it, so that others know (e.g. HR sync)"
            required
            data-autofocus
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(refusal, 'name')}
          />
          <Checkbox.Group
            label="Permissions"
            description="Only those you hold yourself; give it no more than it needs"
            required
            value={permissions}
            onChange={setPermissions}
            error={fieldError(refusal, 'permissions')}
          >
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
              {grantable(access, orgId).map((p) => (
                <Checkbox key={p} value={p} label={p} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <NumberInput
            label="Expires after (days)"
            description="At most 366"
            required
            min={1}
            max={366}
            allowDecimal={false}
            value={days}
            onChange={setDays}
            error={fieldError(refusal, 'expiresInDays')}
          />
          <Text size="sm">
            Acts for: <strong>{access.email ?? 'you'}</strong>. It stops working when you are
            suspended or leave.
          </Text>
          <Group justify="flex-end">
            <Button
              variant="default"
              onClick={() => {
                reset();
                onClose();
              }}
            >
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
