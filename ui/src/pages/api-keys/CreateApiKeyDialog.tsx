import { Checkbox, SimpleGrid, Text } from '@mantine/core';
import { useState } from 'react';
import type { Access } from '../../access.ts';
import { CreateCredentialDialog } from '../../components/CreateCredentialDialog.tsx';
import { fieldError } from '../../components/Refusal.tsx';
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
  onCreated: (token: string) => Promise<void>;
}) {
  const [permissions, setPermissions] = useState<string[]>([]);
  return (
    <CreateCredentialDialog
      title="Create an API key"
      size="lg"
      nameDescription="What uses it, so that others know (e.g. HR sync)"
      defaultDays={90}
      maxDays={366}
      daysDescription="At most 366"
      opened={opened}
      fields={(refusal) => (
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
      )}
      notice={
        <Text size="sm">
          Acts for: <strong>{access.email ?? 'you'}</strong>. It stops working when you are
          suspended or leave.
        </Text>
      }
      onReset={() => setPermissions([])}
      create={(input) => apiKeysApi.create(orgId, { ...input, permissions })}
      onClose={onClose}
      onCreated={onCreated}
    />
  );
}
