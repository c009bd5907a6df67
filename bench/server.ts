import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { type Core, openCore } from '../src/app/core.ts';
import { startServer } from '../src/app/server.ts';
import { generateMasterKeyBase64 } from '../src/crypto/index.ts';
import { createLogger, loadConfig } from '../src/platform/index.ts';
import { ownThreads, pin, serverCoreCount, splitCores } from './cores.ts';
import { freshDatabase } from './support.ts';

/**
 * The real server on a fresh PostgreSQL database, pinned to `--server-cores` cores (default half
 * the machine) before it starts, so that every thread it creates inherits the affinity; the
 * load generator and PostgreSQL get the other cores (docs/authentication.md#measured).
 */
export async function startPinnedServer(
  name: string,
  argv: string[],
  /** Settings of this benchmark's own, beside the defaults. */
  env: Record<string, string> = {},
) {
  const cores = splitCores(serverCoreCount(argv));
  const pinned = cores !== null && pin(ownThreads(), cores.server);
  const db = await freshDatabase();
  const logger = createLogger(env.VIGIL_LOG_LEVEL ?? 'warn');
  const { config } = loadConfig({
    VIGIL_ENV: 'test',
    DATABASE_URL: db.url,
    VIGIL_MASTER_KEY: generateMasterKeyBase64(),
    VIGIL_HOST: '127.0.0.1',
    VIGIL_PORT: '0',
    VIGIL_DATA_DIR: `/tmp/vigil-bench-${name}-${process.pid}`,
    VIGIL_LOG_LEVEL: 'warn',
    ...env,
  });
  const core = await openCore({ config, logger });
  const server = await startServer(config, logger, { core, announce: () => {} });
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
 * Starts a load generator (`script`, next to this file) as its own process, on `cores` when given,
 * with its fixed settings as JSON in argv[2]. It stays up between rounds, as a real client would,
 * its connections open and its code compiled: `round` sends a round's settings as a JSON line on
 * its stdin and resolves with the JSON line it answers (`serveRounds`); `stop` ends it. Its error
 * ends the run.
 */
export function startLoadGenerator<Round, Result>(
  script: string,
  cores: string | undefined,
  settings: Record<string, unknown>,
) {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const command = [process.execPath, path, JSON.stringify(settings)];
  const [file, ...args] = cores ? ['taskset', '-c', cores, ...command] : command;
  const child = spawn(file ?? process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  // Writing to a generator that has died fails too; `round` then reports what it wrote on stderr.
  child.stdin.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const failure = (cause: string) =>
    new Error(`load generator ${script} failed: ${stderr.trim() || cause}`);
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async round(round: Round): Promise<Result> {
      child.stdin.write(`${JSON.stringify(round)}\n`);
      const answer = await answers.next();
      if (answer.done) throw failure(`exited with ${await exited}`);
      return JSON.parse(answer.value) as Result;
    },
    async stop(): Promise<void> {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw failure(`exited with ${code}`);
    },
  };
}
