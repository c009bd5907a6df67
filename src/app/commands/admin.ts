import { operatorActor } from '../../platform/index.ts';
import { createServices } from '../services.ts';
import { type Command, print, withCore } from './kit.ts';

/** The operator's way in before any administrator exists. */
export const adminCommands: Record<string, Command> = {
  async 'admin bootstrap'(ctx) {
    return withCore(ctx, async (core) => {
      const { bootstrap } = createServices(core);
      const link = await bootstrap.issueLink(operatorActor);
      print(
        ctx,
        `One-time link to create the first platform administrator (earlier links are revoked),\nvalid until ${link.expiresAt.toISOString()}:\n${link.url}`,
        { url: link.url, expiresAt: link.expiresAt },
      );
      return 0;
    });
  },
};
