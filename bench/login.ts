import { availableParallelism } from 'node:os';
import { verify } from '@node-rs/argon2';
import type { Core } from '../src/app/core.ts';
import { createServices } from '../src/app/services.ts';
import { hashPassword } from '../src/crypto/index.ts';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { startLoadGenerator, startPinnedServer } from './server.ts';
import { fmt, option, runFor } from './support.ts';

/**
 * Full sign-ins per second over HTTPS against PostgreSQL — GET /login (page and CSRF cookie), then
 * POST /login (password check, lockout counters, session, audit) — next to raw argon2id
 * verifications per second with the same parameters on the same cores, measured in the same run:
 * one verification per core at a time, the most those cores verify (more at once only take turns
 * and evict each other from the caches; the server queues its own the same way). The server and
 * the baseline are pinned to the same `--server-cores` cores; the load generator and PostgreSQL
 * run on the others, as other machines would (docs/authentication.md); the load generator stays
 * up for the whole run. The two alternate in `--rounds` rounds of `seconds / rounds` each, so that
 * a change in the machine's speed during the run (shared cloud cores) weighs on both alike; the
 * ratio is the total's. Each round counts what completes in a window that opens after `--ramp`
 * seconds of the same load (`runFor`): the steady state, for both. The report adds the sign-ins'
 * latency and that of a `/healthz` probe beside them (what sign-ins cost other requests).
 *
 *   npm run bench -- login [--seconds 12] [--rounds 8] [--concurrency 8] [--users 20]
 *                          [--warmup 10] [--ramp 0.5] [--server-cores <half>]
 */
export async function main(argv: string[]): Promise<void> {
  const seconds = option(argv, 'seconds', 12);
  const rounds = option(argv, 'rounds', 8);
  const concurrency = option(argv, 'concurrency', 8);
  const userCount = option(argv, 'users', 20);
  const warmup = option(argv, 'warmup', 10);
  const ramp = option(argv, 'ramp', 0.5);
  const bench = await startPinnedServer('login', argv);
  const { core, server } = bench;
  const password = 'Bench-Password-Login-1';
  try {
    const emails = await seedUsers(core, userCount, password);
    console.log(
      `login benchmark: PostgreSQL, ${concurrency} concurrent clients, ${seconds} s per phase in ${rounds} rounds; ${bench.placement}`,
    );
    const hash = await hashPassword(password);
    const client = startLoadGenerator<
      { seconds: number; ramp: number },
      {
        done: number;
        cpuMs: number;
        spent: [string, number][];
        signInMs: number[];
        probeMs: number[];
      }
    >('./login-client.ts', bench.clientCores, {
      url: server.url,
      emails,
      password,
      concurrency,
      serverPid: process.pid,
    });
    // Warm-up to the steady state: with 2 s, the first rounds still ran 0.04-0.06 below the last
    // (V8 still optimizing the sign-in's code), which 10 s removes (docs/authentication.md).
    await client.round({ seconds: warmup, ramp });
    await bench.pinBackends();
    const round = seconds / rounds;
    let verified = 0;
    let done = 0;
    let cpuMs = 0;
    const signInMs: number[] = [];
    const probeMs: number[] = [];
    const spent = new Map<string, number>();
    for (let r = 1; r <= rounds; r++) {
      // Baseline: argon2id verifications with the stored parameters, one per server core at a
      // time (this process is pinned to those cores).
      const rawDone = await runFor(round, availableParallelism(), () => verify(hash, password), {
        ramp,
      });
      const signIns = await client.round({ seconds: round, ramp });
      for (const [key, ms] of signIns.spent) spent.set(key, (spent.get(key) ?? 0) + ms);
      verified += rawDone;
      done += signIns.done;
      cpuMs += signIns.cpuMs;
      signInMs.push(...signIns.signInMs);
      probeMs.push(...signIns.probeMs);
      console.log(
        `  round ${r}: raw ${(rawDone / round).toFixed(1)} /s, sign-in ${(signIns.done / round).toFixed(1)} /s, ratio ${(signIns.done / rawDone).toFixed(2)}`,
      );
    }
    await client.stop();
    const raw = verified / seconds;
    const logins = done / seconds;
    console.log(`${'raw argon2id verify (baseline)'.padEnd(52)} ${raw.toFixed(1).padStart(8)} /s`);
    console.log(
      `${'full sign-in over HTTPS (page + password + session)'.padEnd(52)} ${logins.toFixed(1).padStart(8)} /s  ratio ${(logins / raw).toFixed(2)} (target ≥ 0.75)`,
    );
    const per = (ms: number) => `${(ms / done).toFixed(2)} ms`;
    const hashing = spent.get('libuv-worker') ?? 0;
    const postgres = spent.get('postgres') ?? 0;
    const serverMs = [...spent].reduce((sum, [k, ms]) => (k === 'postgres' ? sum : sum + ms), 0);
    console.log(
      `CPU per sign-in: server ${per(serverMs)} (argon2id ${per(hashing)}, everything else ${per(serverMs - hashing)}), PostgreSQL ${per(postgres)}, client ${per(cpuMs)}`,
    );
    console.log(
      `latency: sign-in ${percentiles(signInMs)}; GET /healthz beside them ${percentiles(probeMs)}`,
    );
    const sessions = await withPlatform(
      core.database,
      async (tx) => (await tx.selectFrom('sessions').select('id').execute()).length,
    );
    console.log(`sessions created: ${fmt(sessions)}`);
  } finally {
    await bench.stop();
  }
}

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

/** p50 and p99 of a list of milliseconds. */
function percentiles(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms`;
}
