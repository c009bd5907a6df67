import { accessApi, type RoleDetail } from './api.ts';
import { permissionChoices, RoleForm } from './RoleForm.tsx';

/** A new custom role; `onDone(true)` once it is created, `onDone(false)` when given up. */
export function CreateRole({
  orgId,
  roles,
  onDone,
}: {
  orgId: string;
  roles: RoleDetail[];
  onDone: (created: boolean) => Promise<void>;
}) {
  return (
    <RoleForm
      title="Create a custom role"
      choices={permissionChoices(roles)}
      submitLabel="Create"
      onSubmit={async (input, key) => {
        await accessApi.createRole(orgId, { key, ...input });
        await onDone(true);
      }}
      onCancel={() => void onDone(false)}
    />
  );
}
