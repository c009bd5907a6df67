import { operatorActor } from '../../platform/index.ts';
import { createServices } from '../services.ts';
import {
  asUsage,
  type Command,
  iso,
  onlyOptions,
  positional,
  print,
  required,
  table,
  withCore,
} from './kit.ts';

const invalidOrganization = asUsage(['org.invalid'], { slug: '--slug', name: '--name' });

/** Organizations from the command line: the first customer organization, and the list. */
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
};
