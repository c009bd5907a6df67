import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import { openCore } from '../src/app/core.ts';
import { startServer } from '../src/app/server.ts';
import { createServices } from '../src/app/services.ts';
import { generateMasterKeyBase64, hashPassword } from '../src/crypto/index.ts';
import {
  createLogger,
  loadConfig,
  operatorActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { cpuSpent, cpuTime, ownThreads, pin, splitCores } from './cores.ts';
import { fmt, freshDatabase, option, runFor } from './support.ts';

/**
 * Full sign-ins per second over HTTPS against PostgreSQL — GET /login (page and CSRF cookie), then
 * POST /login (password check, lockout counters, session, audit) — next to raw argon2id
 * verifications per second with the same parameters, concurrency and cores, measured in the same
 * run. The server and the baseline are pinned to the same `--server-cores` cores; the load
 * generator and PostgreSQL run on the others, as other machines would (docs/authentication.md).
 *
 *   npm run bench -- login [--seconds 10] [--concurrency 8] [--users 20] [--server-cores <half>]
 */
export async function main(argv: string[]): Promise<void> {
  const seconds = option(argv, 'seconds', 10);
  const concurrency = option(argv, 'concurrency', 8);
  const userCount = option(argv, 'users', 20);
  const serverCores = option(
    argv,
    'server-cores',
    Math.max(1, Math.floor(availableParallelism() / 2)),
  );
  const cores = splitCores(serverCores);
  // Before the server starts, so that every thread it creates inherits the affinity.
  const pinned = cores !== null && pin(ownThreads(), cores.server);
  const db = await freshDatabase();
  const logger = createLogger('warn');
  const { config } = loadConfig({
    VIGIL_ENV: 'test',
    DATABASE_URL: db.url,
    VIGIL_MASTER_KEY: generateMasterKeyBase64(),
    VIGIL_HOST: '127.0.0.1',
    VIGIL_PORT: '0',
    VIGIL_DATA_DIR: `/tmp/vigil-bench-login-${process.pid}`,
    VIGIL_LOG_LEVEL: 'warn',
  });
  const core = await openCore({ config, logger });
  const server = await startServer(config, logger, { core, announce: () => {} });
  const password = 'Bench-Password-Login-1';
  try {
    const emails = await seedUsers(core, userCount, password);
    console.log(
      pinned && cores
        ? `login benchmark: PostgreSQL, ${concurrency} concurrent clients, ${seconds} s per phase; server and baseline on core(s) ${cores.server}, client and PostgreSQL on core(s) ${cores.rest}`
        : `login benchmark: PostgreSQL, ${concurrency} concurrent clients, ${seconds} s per phase; NOT pinned (client and PostgreSQL share the server's ${availableParallelism()} cores)`,
    );

    // Baseline: argon2id verifications with the stored parameters, same concurrency and cores.
    const hash = await hashPassword(password);
    const raw = (await runFor(seconds, concurrency, () => verify(hash, password))) / seconds;
    console.log(`${'raw argon2id verify (baseline)'.padEnd(52)} ${raw.toFixed(1).padStart(8)} /s`);

    const client = (runSeconds: number) =>
      runClient(cores?.rest, {
        url: server.url,
        emails,
        password,
        concurrency,
        seconds: runSeconds,
      });
    await client(2); // warm-up: JIT, the connection pool, TLS sessions
    if (pinned && cores) pin(await backendPids(core), cores.rest);
    const before = cpuTime();
    const { done, cpuMs } = await client(seconds);
    const spent = cpuSpent(before, cpuTime());
    const logins = done / seconds;
    console.log(
      `${'full sign-in over HTTPS (page + password + session)'.padEnd(52)} ${logins.toFixed(1).padStart(8)} /s  ratio ${(logins / raw).toFixed(2)} (target ≥ 0.85)`,
    );
    const per = (ms: number) => `${(ms / done).toFixed(2)} ms`;
    const hashing = spent.get('libuv-worker') ?? 0;
    const postgres = spent.get('postgres') ?? 0;
    const serverMs = [...spent].reduce((sum, [k, ms]) => (k === 'postgres' ? sum : sum + ms), 0);
    console.log(
      `CPU per sign-in: server ${per(serverMs)} (argon2id ${per(hashing)}, everything else ${per(serverMs - hashing)}), PostgreSQL ${per(postgres)}, client ${per(cpuMs)}`,
    );
    const sessions = await withPlatform(
      core.database,
      async (tx) => (await tx.selectFrom('sessions').select('id').execute()).length,
    );
    console.log(`sessions created: ${fmt(sessions)}`);
  } finally {
    await server.stop();
    await core.close();
    await db.drop();
  }
}

type Core = Awaited<ReturnType<typeof openCore>>;

async function seedUsers(core: Core, count: number, password: string): Promise<string[]> {
  const services = createServices(core);
  const orgId = await withPlatform(
    core.database,
    async (tx) =>
      (
        await services.tenancy.createOrganization(
          tx,
          { slug: 'bench', name: 'Bench' },
          operatorActor,
        )
      ).id,
  );
  const emails: string[] = [];
  for (let i = 0; i < count; i++) {
    const email = `user${i}@bench.test`;
    await withOrg(core.database, orgId, async (tx) => {
      const user = await services.identity.createUser(
        tx,
        orgId,
        { email, displayName: `User ${i}` },
        operatorActor,
      );
      await services.passwords.set(tx, user, password, {
        actor: operatorActor,
        temporary: false,
        byOwner: false,
      });
    });
    emails.push(email);
  }
  return emails;
}

/** The PostgreSQL backends serving this benchmark's database (the server's pool). */
async function backendPids(core: Core): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(core.database.db);
  return rows.map((r) => r.pid);
}

/** Runs the load generator as its own process, on `cores` when given. */
async function runClient(
  cores: string | undefined,
  settings: Record<string, unknown>,
): Promise<{ done: number; cpuMs: number }> {
  const script = fileURLToPath(new URL('./login-client.ts', import.meta.url));
  const command = [process.execPath, script, JSON.stringify(settings)];
  const [file, ...args] = cores ? ['taskset', '-c', cores, ...command] : command;
  const { stdout } = await promisify(execFile)(file ?? process.execPath, args, {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as { done: number; cpuMs: number };
}
