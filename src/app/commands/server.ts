import { migrate, openDatabase } from '../../platform/index.ts';
import { startServer } from '../server.ts';
import { type Command, print } from './kit.ts';

/** Running the server and preparing its database. */
export const serverCommands: Record<string, Command> = {
  async start(ctx) {
    const server = await startServer(ctx.config, ctx.logger);
    ctx.logger.info(
      { url: server.url, publicUrl: ctx.config.VIGIL_PUBLIC_URL },
      'Vigil is listening',
    );
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      ctx.logger.info({ signal }, 'shutting down');
      await server.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    return -1;
  },

  async migrate(ctx) {
    const database =
      ctx.database ??
      (await openDatabase({
        databaseUrl: ctx.config.DATABASE_URL,
        dataDir: ctx.config.VIGIL_DATA_DIR,
        poolSize: 1,
      }));
    try {
      const applied = await migrate(database);
      print(ctx, applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date', {
        applied,
      });
      return 0;
    } finally {
      await database.close();
    }
  },
};
