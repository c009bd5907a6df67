import { Badge, Group } from '@mantine/core';
import type { RoleDetail } from './api.ts';

/** What a role demands besides its permissions, as badges. */
export function RoleFlags({ role }: { role: RoleDetail }) {
  return (
    <Group gap={4}>
      <Badge variant="light" color={role.builtIn ? 'gray' : 'blue'}>
        {role.builtIn ? 'built-in' : 'custom'}
      </Badge>
      {role.platformOnly && <Badge variant="light">platform</Badge>}
      {role.privileged && (
        <Badge variant="light" color="orange">
          privileged
        </Badge>
      )}
      {role.requireMfa && <Badge variant="light">MFA</Badge>}
      {role.requiresApproval && (
        <Badge variant="light" color="grape">
          needs approval
        </Badge>
      )}
    </Group>
  );
}
