import { isUuid, operatorActor } from '../../platform/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  findOrg,
  iso,
  onlyOptions,
  positional,
  print,
  required,
  table,
  text,
  texts,
  UsageError,
  withCore,
} from './kit.ts';
import { describeAssignment } from './roles.ts';

const invalidUser = asUsage(['user.invalid'], { email: '--email', displayName: '--name' });

/** The reason recorded for the roles a user is created with. */
const createdWith = 'given at creation by the operator (vigil users create)';

/** `--limit`: how many users one `users list` shows. */
function limitOf(value: string | undefined): number {
  if (value === undefined) return 100;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > 1000)
    throw new UsageError('--limit must be a number from 1 to 1000');
  return Number(value);
}

/**
 * Users from the command line: create one with a temporary password (Vigil sends no invitation
 * mail yet) and their first roles, and list an organization's users a page at a time.
 */
export const userCommands: Record<string, Command> = {
  async 'users create'(ctx) {
    const command = 'users create';
    onlyOptions(ctx, command, ['org', 'email', 'name', 'role']);
    positional(ctx, command, []);
    const slug = required(ctx, command, 'org', 'SLUG');
    const email = required(ctx, command, 'email', 'EMAIL');
    // Without --name, the part of the address before the @ (the user can change it later).
    const displayName = text(ctx, 'name') ?? email.split('@')[0] ?? email;
    const roleKeys = texts(ctx, 'role');
    return withCore(ctx, async (core) => {
      const { tenancy, lifecycle } = createServices(core);
      const org = findOrg(await tenancy.organizations(), slug);
      const input = { email, displayName, roleKeys, reason: createdWith };
      const created = await lifecycle.provision(org.id, input, operatorActor).catch(invalidUser);
      const { user, temporaryPassword } = created;
      const roles = created.roles.map((r) => describeAssignment(r, user.email, org));
      print(
        ctx,
        [
          `created user ${user.id} ${user.email} "${user.displayName}" in organization ${org.slug}`,
          ...roles.map((r) => r.human),
          `temporary password: ${temporaryPassword}`,
          'The password is shown this once: hand it to the user over a channel you trust.',
          `They must change it at their first sign-in (${core.config.VIGIL_PUBLIC_URL}/account).`,
        ].join('\n'),
        {
          user: { ...user, orgSlug: org.slug },
          roles: roles.map((r) => r.machine),
          temporaryPassword,
          shownOnce: true,
          mustChangeAtFirstSignIn: true,
        },
      );
      return 0;
    });
  },

  async 'users list'(ctx) {
    const command = 'users list';
    onlyOptions(ctx, command, ['org', 'limit', 'after']);
    positional(ctx, command, []);
    const slug = required(ctx, command, 'org', 'SLUG');
    const limit = limitOf(text(ctx, 'limit'));
    const after = text(ctx, 'after');
    if (after !== undefined && !isUuid(after)) throw new UsageError('--after must be a user id');
    return withCore(ctx, async (core) => {
      const { tenancy, identity } = createServices(core);
      const org = findOrg(await tenancy.organizations(), slug);
      const page = await identity.usersPageIn(org.id, { after, limit: limit + 1 });
      const users = page.slice(0, limit);
      const nextCursor = page.length > limit ? (users.at(-1)?.id ?? null) : null;
      const rows = users.map((u) => [u.id, u.email, u.displayName, u.status, iso(u.createdAt)]);
      const lines = users.length
        ? [table(['ID', 'EMAIL', 'NAME', 'STATUS', 'CREATED'], rows)]
        : [`no users in ${org.slug}${after ? ' after that one' : ''}`];
      if (nextCursor) lines.push(`more: vigil users list --org ${org.slug} --after ${nextCursor}`);
      print(ctx, lines.join('\n'), { orgSlug: org.slug, users, nextCursor });
      return 0;
    });
  },
};
