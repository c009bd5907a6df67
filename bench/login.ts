import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { verify } from '@node-rs/argon2';
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
import { fmt, freshDatabase, option, runFor } from './support.ts';

/**
 * Full sign-ins per second over HTTPS against PostgreSQL — GET /login (page and CSRF cookie), then
 * POST /login (password check, lockout counters, session, audit) — next to raw argon2id
 * verifications per second with the same parameters and concurrency, measured in the same run.
 *
 *   npm run bench -- login [--seconds 10] [--concurrency <cores>] [--users 20]
 */
export async function main(argv: string[]): Promise<void> {
  const seconds = option(argv, 'seconds', 10);
  const concurrency = option(argv, 'concurrency', availableParallelism());
  const userCount = option(argv, 'users', 20);
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
    for (let i = 0; i < userCount; i++) {
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
    console.log(
      `login benchmark: PostgreSQL, ${concurrency} concurrent clients on ${availableParallelism()} cores, ${seconds} s per phase`,
    );

    // Baseline: argon2id verifications with the stored parameters, same concurrency.
    const hash = await hashPassword(password);
    const raw = (await runFor(seconds, concurrency, () => verify(hash, password))) / seconds;
    console.log(`${'raw argon2id verify (baseline)'.padEnd(40)} ${raw.toFixed(1).padStart(8)} /s`);

    const worker = new Worker(new URL('./login-client.ts', import.meta.url), {
      workerData: { url: server.url, emails, password, concurrency, seconds },
    });
    const completed = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    const logins = completed / seconds;
    const sessions = await withPlatform(
      core.database,
      async (tx) => (await tx.selectFrom('sessions').select('id').execute()).length,
    );
    console.log(
      `${'full sign-in over HTTPS (page + password + session)'.padEnd(40)} ${logins.toFixed(1).padStart(8)} /s  ratio ${(logins / raw).toFixed(2)} (target ≥ 0.85)`,
    );
    console.log(`sessions created: ${fmt(sessions)}`);
  } finally {
    await server.stop();
    await core.close();
    await db.drop();
  }
}
