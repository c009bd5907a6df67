import type { CheckContext, CheckOutcome, ControlException } from '../control.ts';
import { verdict } from '../control.ts';
import * as store from './operations.store.ts';
import { appRoles } from './operations-audit.ts';

/**
 * Every table with an org_id column has row-level security enabled and forced (a partition only
 * when the application roles may reach it directly: through its parent, the parent's policies
 * apply), and no application role is a superuser or bypasses row-level security.
 */
export async function checkTenantIsolation({ tx }: CheckContext): Promise<CheckOutcome> {
  const exceptions: ControlException[] = [];
  const tables = await store.tablesWithOrgId(tx);
  for (const t of tables) {
    if (t.partition && !t.app_access) continue;
    const what = t.partition
      ? `partition ${t.table}, open to the application roles,`
      : `table ${t.table}`;
    const problem = !t.enabled
      ? 'row-level security is off'
      : !t.forced
        ? 'row-level security is not forced'
        : null;
    if (problem)
      exceptions.push({
        message: `${what} has org_id but ${problem}`,
        subject: { type: 'table', id: t.table },
      });
  }
  const roles = await store.appRoles(tx, appRoles);
  for (const name of appRoles) {
    const role = roles.find((r) => r.name === name);
    if (!role)
      exceptions.push({
        message: `role ${name} does not exist`,
        subject: { type: 'role', id: name },
      });
    else {
      if (role.superuser)
        exceptions.push({
          message: `role ${name} is a superuser`,
          subject: { type: 'role', id: name },
        });
      if (role.bypassrls)
        exceptions.push({
          message: `role ${name} bypasses row-level security`,
          subject: { type: 'role', id: name },
        });
    }
  }
  const checked = tables.filter((t) => !t.partition).length;
  return verdict(exceptions, {
    pass: `row-level security is forced on all ${checked} tables with an organization column, and the application roles are bound by it`,
    fail: (n) => `${n} gap${n === 1 ? '' : 's'} in tenant isolation`,
  });
}
