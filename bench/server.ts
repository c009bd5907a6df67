import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { type Core, openCore } from '../src/app/core.ts';
import { startServer } from '../src/app/server.ts';
import { generateMasterKeyBase64, runEventLoopBelowHashing } from '../src/crypto/index.ts';
import { createLogger, loadConfig } from '../src/platform/index.ts';
import { ownThreads, pin, serverCoreCount, splitCores } from './cores.ts';
import { freshDatabase } from './support.ts';

/**
 * The real server on a fresh PostgreSQL database, pinned to `--server-cores` cores (default half
 * the machine) before it starts, so that every thread it creates inherits the affinity; the
 * load generator and PostgreSQL get the other cores (docs/authentication.md#measured).
 */
export async function startPinnedServer(name: string, argv: string[]) {
  const cores = splitCores(serverCoreCount(argv));
  const pinned = cores !== null && pin(ownThreads(), cores.server);
  const db = await freshDatabase();
  const logger = createLogger('warn');
  const { config } = loadConfig({
    VIGIL_ENV: 'test',
    DATABASE_URL: db.url,
    VIGIL_MASTER_KEY: generateMasterKeyBase64(),
    VIGIL_HOST: '127.0.0.1',
    VIGIL_PORT: '0',
    VIGIL_DATA_DIR: `/tmp/vigil-bench-${name}-${process.pid}`,
    VIGIL_LOG_LEVEL: 'warn',
  });
  const core = await openCore({ config, logger });
  const server = await startServer(config, logger, { core, announce: () => {} });
  // As `vigil start` does (docs/authentication.md#scheduling).
  await runEventLoopBelowHashing(config.VIGIL_EVENT_LOOP_NICE);
  /** How the run is placed, for the first line of the report. */
  const placement =
    pinned && cores
      ? `server and baseline on core(s) ${cores.server}, client and PostgreSQL on core(s) ${cores.rest}`
      : `NOT pinned (client and PostgreSQL share the server's ${availableParallelism()} cores)`;
  return {
    db,
    config,
    core,
    server,
    placement,
    /** Where load generators run (undefined: anywhere). */
    clientCores: pinned && cores ? cores.rest : undefined,
    /** Moves the database backends serving the server's pool next to the load generator. */
    async pinBackends(): Promise<void> {
      if (pinned && cores) pin(await backendPids(core), cores.rest);
    },
    async stop(): Promise<void> {
      await server.stop();
      await core.close();
      await db.drop();
    },
  };
}

/** The PostgreSQL backends serving this benchmark's database (the server's pool). */
async function backendPids(core: Core): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(core.database.db);
  return rows.map((r) => r.pid);
}

/**
 * Runs a load generator (`script`, next to this file) as its own process, on `cores` when given,
 * with its settings as JSON in argv[2]; returns what it prints as JSON. Its error ends the run.
 */
export async function runLoadGenerator<T>(
  script: string,
  cores: string | undefined,
  settings: Record<string, unknown>,
): Promise<T> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const command = [process.execPath, path, JSON.stringify(settings)];
  const [file, ...args] = cores ? ['taskset', '-c', cores, ...command] : command;
  try {
    const { stdout } = await promisify(execFile)(file ?? process.execPath, args, {
      maxBuffer: 1 << 20,
    });
    return JSON.parse(stdout) as T;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`load generator ${script} failed: ${stderr || err}`);
  }
}
