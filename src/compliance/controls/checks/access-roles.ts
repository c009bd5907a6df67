import { permissions } from '../../../rbac/index.ts';
import {
  type CheckContext,
  type CheckOutcome,
  type ControlException,
  verdict,
} from '../control.ts';
import { byText, counted, day, dayMs, spoken } from './access-text.ts';

const catalogued = new Set(permissions.map((p) => p.id));

/**
 * Every role has a description and a purpose, and grants only permissions of the catalog (what
 * the permission matrix lists with their risk). The API refuses roles without them; a row written
 * around it, or a role from before purposes were required, is what this finds.
 */
export async function checkRoleDocumentation(ctx: CheckContext): Promise<CheckOutcome> {
  const roles = [...(await ctx.sources.access.rolesOf(ctx.tx, ctx.orgId))].sort(
    byText((r) => r.key),
  );
  const exceptions: ControlException[] = [];
  const flawed = new Set<string>();
  for (const role of roles) {
    const subject = { type: 'role', id: role.key };
    const missing = [
      role.description.trim() === '' ? 'description' : null,
      role.purpose.trim() === '' ? 'purpose' : null,
    ].filter((m) => m !== null);
    if (missing.length > 0) {
      exceptions.push({
        message: `role ${role.key} has no documented ${missing.join(' or ')}`,
        subject,
      });
      flawed.add(role.key);
    }
    const unknown = role.permissions.filter((p) => !catalogued.has(p)).sort();
    if (unknown.length > 0) {
      exceptions.push({
        message: `role ${role.key} grants ${spoken(unknown)}, not in the permission catalog`,
        subject,
      });
      flawed.add(role.key);
    }
  }
  return verdict(exceptions, {
    pass: `All ${counted(roles.length, 'role')} have a description and a purpose and grant only catalogued permissions`,
    fail: () => `${counted(flawed.size, 'role')} of ${roles.length} not fully documented`,
  });
}

/** The review flag's threshold (docs/reviews.md#flags) when the lifecycle policy sets none. */
export const defaultDormantDays = 90;

/**
 * Nobody who may not sign in keeps roles, and no active holder of a privileged role has gone
 * unused past the dormancy limit. Lines name dates, not ages, so an unchanged finding reads the
 * same on every run (the history compares runs by equality).
 */
export async function checkLeastPrivilege(ctx: CheckContext): Promise<CheckOutcome> {
  const { tx, orgId, now, sources } = ctx;
  const [users, holders, lastSignIns, lifecycle] = [
    await sources.access.usersOf(tx, orgId),
    await sources.access.holdersIn(tx, orgId),
    await sources.access.lastSignIns(tx, orgId),
    await sources.access.lifecyclePolicy(tx, orgId),
  ];
  const limitDays = lifecycle.dormantDays ?? defaultDormantDays;
  const unusedBefore = now.getTime() - limitDays * dayMs;
  const sorted = [...users].sort(byText((u) => u.email));

  const deactivatedHolders: ControlException[] = [];
  const dormantPrivileged: ControlException[] = [];
  for (const user of sorted) {
    const held = (holders.get(user.id) ?? []).map((r) => r.key).sort();
    const subject = { type: 'user', id: user.id };
    if (user.status !== 'active') {
      if (held.length > 0)
        deactivatedHolders.push({
          message: `${user.status} user ${user.email} still holds ${spoken(held)}`,
          subject,
        });
      continue;
    }
    const privileged = (holders.get(user.id) ?? [])
      .filter((r) => r.privileged)
      .map((r) => r.key)
      .sort();
    if (privileged.length === 0) continue;
    const lastSignIn = lastSignIns.get(user.id);
    const lastUse = lastSignIn ?? user.createdAt;
    if (lastUse.getTime() >= unusedBefore) continue;
    const when = lastSignIn
      ? `last signed in ${day(lastSignIn)}`
      : `never signed in (account created ${day(user.createdAt)})`;
    dormantPrivileged.push({
      message: `privileged user ${user.email} (${spoken(privileged)}) ${when}, over the ${limitDays}-day dormancy limit`,
      subject,
    });
  }
  const limitSource =
    lifecycle.dormantDays === null
      ? `${limitDays} days (the lifecycle policy sets no dormancy limit)`
      : `the lifecycle policy's ${limitDays} days`;
  return verdict([...deactivatedHolders, ...dormantPrivileged], {
    pass: `No suspended or deprovisioned user holds a role, and every privileged holder signed in within ${limitSource}`,
    fail: () =>
      [
        deactivatedHolders.length > 0
          ? `${counted(deactivatedHolders.length, 'deactivated user')} still holding roles`
          : null,
        dormantPrivileged.length > 0
          ? `${counted(dormantPrivileged.length, 'privileged holder')} unused past ${limitSource}`
          : null,
      ]
        .filter((p) => p !== null)
        .join('; '),
  });
}
