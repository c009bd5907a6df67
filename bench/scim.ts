import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { createServices, type Services } from '../src/app/services.ts';
import { type Database, operatorActor, withOrg } from '../src/platform/index.ts';
import { startNode } from '../test/support/nodes.ts';
import { freePort } from '../test/support/oidc.ts';
import { cpuSpent, cpuTime, serverCoreCount, splitCores } from './cores.ts';
import { startLoadGenerator, startPinnedServer } from './server.ts';
import { fmt, option } from './support.ts';

type How = 'scim-patch' | 'scim-delete' | 'admin';
interface Leaver {
  userId: string;
  apiKey: string;
  session: string;
}
type CreateRound = {
  kind: 'creates';
  api: 'scim' | 'admin';
  clients: number;
  seconds: number;
  ramp: number;
  tag: string;
};
type LeaverRound = { kind: 'leavers'; how: How; leavers: Leaver[] };
type Timings = { answered: number[]; apiKey: number[]; session: number[] };

/**
 * SCIM provisioning and deprovisioning (issue 19) on PostgreSQL:
 *
 * (a) users created per second through `POST /scim/v2/<slug>/Users` over HTTPS by `--clients`
 *     concurrent keep-alive clients (target ≥ 500/s), beside the same load on the admin API's
 *     `POST /orgs/{orgId}/users` in the same run, alternated twice, reported as a ratio;
 * (b) deprovision-to-denied latency across two nodes: node A (this process, pinned) is told to
 *     deprovision a user (SCIM PATCH active "False", SCIM DELETE, the admin API), while the
 *     client polls node B (a second `vigil start` process on the same database) with the user's
 *     API key and session cookie until both are refused; p50/p99 over `--leavers` users per way
 *     (target p99 ≤ 1 s).
 *
 *   npm run bench -- scim [--clients 8] [--seconds 10] [--leavers 60] [--server-cores <half>]
 */
export async function main(argv: string[]): Promise<void> {
  const clients = option(argv, 'clients', 8);
  const seconds = option(argv, 'seconds', 10);
  const leaverCount = option(argv, 'leavers', 60);
  const bench = await startPinnedServer('scim', argv);
  const { core, server, config } = bench;
  const serverCores = splitCores(serverCoreCount(argv))?.server;
  const nodeB = await startNode(
    await freePort(),
    {
      DATABASE_URL: bench.db.url,
      VIGIL_MASTER_KEY: config.VIGIL_MASTER_KEY ?? '',
      VIGIL_PUBLIC_URL: server.url,
    },
    { cores: bench.clientCores ? serverCores : undefined },
  );
  try {
    const services = createServices(core);
    const org = await services.tenancy.addOrganization(
      { slug: 'bench', name: 'Bench' },
      operatorActor,
    );
    const scimToken = (
      await services.scimTokens.createInOrg(org.id, { name: 'bench directory' }, operatorActor)
    ).token;
    const adminKey = (
      await services.apiKeys.createInOrg(
        org.id,
        { name: 'bench admin', permissions: ['users.read', 'users.write', 'users.deactivate'] },
        operatorActor,
      )
    ).token;
    console.log(
      `SCIM benchmark: PostgreSQL, node A in this process and node B a second process on the same database; ${clients} concurrent HTTPS keep-alive clients; ${bench.placement}`,
    );
    const client = startLoadGenerator<CreateRound | LeaverRound, unknown>(
      './scim-client.ts',
      bench.clientCores,
      {
        nodeA: server.url,
        nodeB: nodeB.base,
        slug: 'bench',
        orgId: org.id,
        scimToken,
        adminKey,
      },
    );
    await bench.pinBackends();
    try {
      await creates(client, core.database, clients, seconds);
      await deprovisionings(client, services, core.database, org.id, leaverCount);
    } finally {
      await client.stop();
    }
  } finally {
    await nodeB.stop();
    await bench.stop();
  }
}

type Client = {
  round(round: CreateRound | LeaverRound): Promise<unknown>;
};

/** CPU milliseconds of each PostgreSQL backend serving the benchmark's database, by pid. */
async function backendCpu(database: Database): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(database.db);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks of 10 ms.
    if (stat) out.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
  }
  return out;
}

/**
 * CPU milliseconds while `work` ran: this process (node A), and the PostgreSQL backends of this
 * database only (other databases' backends on a shared server are not this run's).
 */
async function cpuOf<T>(database: Database, work: () => Promise<T>) {
  const [node, db] = [cpuTime(), await backendCpu(database)];
  const result = await work();
  const spent = cpuSpent(node, cpuTime());
  spent.delete('postgres');
  let postgres = 0;
  for (const [pid, ms] of await backendCpu(database)) postgres += ms - (db.get(pid) ?? 0);
  return { result, nodeMs: [...spent.values()].reduce((a, b) => a + b, 0), postgresMs: postgres };
}

async function creates(client: Client, database: Database, clients: number, seconds: number) {
  const round = async (api: 'scim' | 'admin', tag: string, length = seconds) => {
    const { result, nodeMs, postgresMs } = await cpuOf(
      database,
      async () =>
        (await client.round({ kind: 'creates', api, clients, seconds: length, ramp: 1, tag })) as {
          done: number;
          created: number;
        },
    );
    // CPU over the whole round (ramp included) per user created in it.
    return {
      rate: result.done / length,
      cpu: `node A ${(nodeMs / result.created).toFixed(2)} ms, PostgreSQL ${(postgresMs / result.created).toFixed(2)} ms`,
    };
  };
  // Warm-up: code compiled, connections open, both paths run once.
  await round('admin', 'warm-admin', 2);
  await round('scim', 'warm-scim', 2);
  const rates: { admin: number; scim: number }[] = [];
  for (const pass of [1, 2]) {
    const admin = await round('admin', `admin${pass}`);
    const scim = await round('scim', `scim${pass}`);
    rates.push({ admin: admin.rate, scim: scim.rate });
    console.log(
      `creates, pass ${pass}: SCIM ${fmt(scim.rate)}/s (CPU each: ${scim.cpu}), admin API ${fmt(admin.rate)}/s (baseline; ${admin.cpu}), ratio ${(scim.rate / admin.rate).toFixed(2)}`,
    );
  }
  const mean = (pick: (r: { admin: number; scim: number }) => number) =>
    rates.reduce((sum, r) => sum + pick(r), 0) / rates.length;
  const scim = mean((r) => r.scim);
  console.log(
    `creates: SCIM ${fmt(scim)}/s (target ≥ 500/s: ${scim >= 500 ? 'met' : 'MISSED'}), admin API ${fmt(mean((r) => r.admin))}/s, ratio ${(scim / mean((r) => r.admin)).toFixed(2)}`,
  );
}

/** Users with an API key of their own and a session, as a leaver has. */
async function leaversOf(
  services: Services,
  database: Database,
  orgId: string,
  count: number,
  tag: string,
): Promise<Leaver[]> {
  const out: Leaver[] = [];
  for (let i = 0; i < count; i++) {
    const leaver = await withOrg(database, orgId, async (tx) => {
      const user = await services.identity.createUser(
        tx,
        orgId,
        { email: `${tag}-${i}@leavers.test`, displayName: `Leaver ${tag} ${i}` },
        operatorActor,
      );
      await services.rbac.assign(
        tx,
        { orgId, userId: user.id, roleKey: 'org-auditor', reason: 'benchmark' },
        null,
        operatorActor,
      );
      const self = { type: 'user' as const, id: user.id };
      const key = await services.apiKeys.create(
        tx,
        orgId,
        { name: 'my script', permissions: ['users.read'] },
        { userId: user.id, orgId },
        self,
      );
      const session = await services.sessions.create(
        tx,
        { user, amr: ['pwd'], acr: 'urn:vigil:acr:pwd' },
        self,
      );
      return { userId: user.id, apiKey: key.token, session: session.token };
    });
    out.push(leaver);
  }
  return out;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};
const ms = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`;

async function deprovisionings(
  client: Client,
  services: Services,
  database: Database,
  orgId: string,
  count: number,
) {
  const all: number[] = [];
  for (const how of ['scim-patch', 'scim-delete', 'admin'] as const) {
    const leavers = await leaversOf(services, database, orgId, count, how);
    const t = (await client.round({ kind: 'leavers', how, leavers })) as Timings;
    const denied = t.apiKey.map((k, i) => Math.max(k, t.session[i] ?? 0));
    all.push(...denied);
    console.log(`deprovisioned by ${how} on node A, ${count} users:`);
    console.log(`  node A answered           ${ms(t.answered)}`);
    console.log(`  node B refused the key    ${ms(t.apiKey)}`);
    console.log(`  node B refused the session ${ms(t.session)}`);
    console.log(`  both refused              ${ms(denied)}`);
  }
  const p99 = percentile(all, 99);
  console.log(
    `deprovision-to-denied on the other node, ${all.length} users: ${ms(all)} (target p99 ≤ 1 s: ${p99 <= 1000 ? 'met' : 'MISSED'})`,
  );
}
