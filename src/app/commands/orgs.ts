import type { Lifecycle } from '../../lifecycle/index.ts';
import { operatorActor } from '../../platform/index.ts';
import type { Organization } from '../../tenancy/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  type CommandContext,
  findOrg,
  iso,
  onlyOptions,
  positional,
  print,
  required,
  table,
  text,
  withCore,
} from './kit.ts';

const invalidOrganization = asUsage(['org.invalid'], { slug: '--slug', name: '--name' });

/**
 * Suspends or reactivates the organization `--slug` names, as the operator, through the
 * lifecycle's use case (`change`), which signs its users out everywhere on suspension.
 */
function changeStatus(
  ctx: CommandContext,
  command: string,
  change: (lifecycle: Lifecycle, orgId: string) => Promise<Organization>,
): Promise<number> {
  const slug = required(ctx, command, 'slug', 'SLUG');
  return withCore(ctx, async (core) => {
    const { tenancy, lifecycle } = createServices(core);
    const org = await change(lifecycle, findOrg(await tenancy.organizations(), slug, 'slug').id);
    print(ctx, `organization ${org.slug} is ${org.status}`, { organization: org });
    return 0;
  });
}

/** Organizations from the command line: create, list, suspend and reactivate. */
export const orgCommands: Record<string, Command> = {
  async 'orgs create'(ctx) {
    const command = 'orgs create';
    onlyOptions(ctx, command, ['slug', 'name']);
    positional(ctx, command, []);
    const input = {
      slug: required(ctx, command, 'slug', 'SLUG'),
      name: required(ctx, command, 'name', 'NAME'),
    };
    return withCore(ctx, async (core) => {
      const { tenancy } = createServices(core);
      const org = await tenancy.addOrganization(input, operatorActor).catch(invalidOrganization);
      print(
        ctx,
        [
          `created organization ${org.slug} "${org.name}" (${org.id})`,
          `next: vigil users create --org ${org.slug} --email EMAIL --role org-owner`,
        ].join('\n'),
        { organization: org },
      );
      return 0;
    });
  },

  async 'orgs list'(ctx) {
    const command = 'orgs list';
    onlyOptions(ctx, command, []);
    positional(ctx, command, []);
    return withCore(ctx, async (core) => {
      const organizations = await createServices(core).tenancy.organizations();
      const rows = organizations.map((o) => [
        o.id,
        o.slug,
        o.name,
        o.kind,
        o.status,
        iso(o.createdAt),
      ]);
      print(ctx, table(['ID', 'SLUG', 'NAME', 'KIND', 'STATUS', 'CREATED'], rows), {
        organizations,
      });
      return 0;
    });
  },

  async 'orgs suspend'(ctx) {
    const command = 'orgs suspend';
    onlyOptions(ctx, command, ['slug', 'reason']);
    positional(ctx, command, []);
    const reason = required(ctx, command, 'reason', 'TEXT');
    return changeStatus(ctx, command, (lifecycle, orgId) =>
      lifecycle.suspendOrganizationNow(orgId, reason, operatorActor),
    );
  },

  async 'orgs reactivate'(ctx) {
    const command = 'orgs reactivate';
    onlyOptions(ctx, command, ['slug', 'reason']);
    positional(ctx, command, []);
    const reason = text(ctx, 'reason');
    return changeStatus(ctx, command, (lifecycle, orgId) =>
      lifecycle.reactivateOrganizationNow(orgId, reason, operatorActor),
    );
  },
};
