import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openCore } from '../src/app/core.ts';
import { sealAll } from '../src/audit/index.ts';
import { packPeriod } from '../src/compliance/index.ts';
import { generateMasterKeyBase64 } from '../src/crypto/index.ts';
import {
  type AuditEventInput,
  createLogger,
  loadConfig,
  newId,
  operatorActor,
  platformOrgId,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { createTenancyService } from '../src/tenancy/index.ts';
import { fmt, freshDatabase, option } from './support.ts';

/**
 * The evidence pack of a large organization on PostgreSQL (issue 22, Performance): 100,000 users
 * (a tenth holding a role, half with a second factor) and 1,000,000 audit events in the period,
 * every one written through the audit log (valid MACs) and sealed. Reports the pack's build time
 * and peak RSS of `vigil evidence export`, next to a baseline measured in the same run: `vigil
 * audit export` of the same events (JSON Lines), which reads each of them once.
 *
 *   npm run bench -- evidence [--users 100000] [--events 1000000] [--heap-mb N] [--keep]
 */
/** The process's peak resident set, printed as it exits (Linux reports maxRSS in kilobytes). */
const reportPeakRss =
  "data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss '+process.resourceUsage().maxRSS+'\\n'))";

/** Runs `vigil ARGS` in a process of its own: its wall time, output and peak RSS (bytes). */
function vigil(args: string[], env: NodeJS.ProcessEnv, nodeOptions: string[] = []) {
  return new Promise<{ seconds: number; stdout: string; maxRss: number }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [...nodeOptions, '--import', reportPeakRss, 'src/app/cli.ts', ...args],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = /maxrss (\d+)/.exec(stderr);
      if (code !== 0 || !rss) reject(new Error(`vigil ${args.join(' ')}: exit ${code}\n${stderr}`));
      else resolve({ seconds, stdout, maxRss: Number(rss[1]) * 1024 });
    });
  });
}

export async function main(argv: string[]): Promise<void> {
  const users = option(argv, 'users', 100_000);
  const events = option(argv, 'events', 1_000_000);
  const keep = argv.includes('--keep');
  // A V8 heap limit for the pack's process (MB): that it completes under it shows the pack
  // streams, whatever RSS a process with room to spare lets its heap grow to.
  const heapMb = argv.includes('--heap-mb') ? option(argv, 'heap-mb', 192) : 0;
  const db = await freshDatabase();
  const logger = createLogger('warn');
  const { config } = loadConfig({
    VIGIL_ENV: 'test',
    DATABASE_URL: db.url,
    VIGIL_MASTER_KEY: generateMasterKeyBase64(),
    VIGIL_DB_POOL_SIZE: '8',
  });
  const core = await openCore({ config, logger });
  try {
    const tenancy = createTenancyService({
      database: core.database,
      audit: core.audit.record,
      clock: core.clock,
      platformOrgId,
    });
    const org = await withPlatform(core.database, (tx) =>
      tenancy.createOrganization(tx, { slug: 'bigcorp', name: 'Big Corp' }, operatorActor),
    );
    console.log(
      `evidence pack benchmark: PostgreSQL, ${fmt(users)} users, ${fmt(events)} audit events`,
    );

    // Users, roles and factors in bulk SQL (the directory's rows; no audit events of their own).
    const seedStart = performance.now();
    await withPlatform(core.database, async (tx) => {
      await sql`
        INSERT INTO users (id, org_id, email, display_name, status, created_at, updated_at, deactivated_at)
        SELECT gen_random_uuid(), ${org.id}, 'user' || i || '@bigcorp.test', 'User ' || i,
          CASE WHEN i % 50 = 0 THEN 'suspended' ELSE 'active' END,
          now() - interval '60 days', now() - interval '60 days',
          CASE WHEN i % 50 = 0 THEN now() - interval '30 days' END
        FROM generate_series(1, ${users}::int) AS i`.execute(tx);
      await sql`
        INSERT INTO role_assignments (org_id, user_id, role_key, granted_by, reason, granted_at, source)
        SELECT org_id, id, CASE WHEN random() < 0.1 THEN 'org-admin' ELSE 'org-auditor' END, NULL,
          'bench', now() - interval '45 days', 'admin'
        FROM users WHERE org_id = ${org.id} AND random() < 0.1`.execute(tx);
      await sql`
        INSERT INTO mfa_factors (id, org_id, user_id, kind, label, credential_id, public_key,
          sign_count, created_at, confirmed_at)
        SELECT gen_random_uuid(), org_id, id, 'webauthn', 'Passkey', md5(id::text), '\\x00'::bytea,
          0, now() - interval '40 days', now() - interval '40 days'
        FROM users WHERE org_id = ${org.id} AND random() < 0.5`.execute(tx);
    });
    const seeded = performance.now();

    // The events through the audit log, four writers, 1,000 per transaction, then sealed.
    const event = (i: number): AuditEventInput => ({
      orgId: org.id,
      action: i % 3 === 0 ? 'auth.login.failed' : 'auth.login.succeeded',
      outcome: i % 3 === 0 ? 'failure' : 'success',
      actor: { type: 'anonymous', ip: '198.51.100.7', userAgent: 'bench/1.0' },
      target: { type: 'user', id: newId() },
      requestId: newId(),
      details: { attempt: i % 10 },
    });
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < events) {
          const start = next;
          next += 1000;
          const batch = Array.from({ length: Math.min(1000, events - start) }, (_, i) =>
            event(start + i),
          );
          await withOrg(core.database, org.id, (tx) => core.audit.recordMany(tx, batch));
        }
      }),
    );
    await sealAll(core.sealer);
    const loaded = performance.now();
    console.log(
      `seeded ${fmt(users)} users in ${((seeded - seedStart) / 1000).toFixed(1)} s, ${fmt(events)} events written and sealed in ${((loaded - seeded) / 1000).toFixed(1)} s`,
    );

    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const period = packPeriod({ from: yesterday, to: today });

    // Both runs are the command an operator types, each in a process of its own, so that its
    // peak RSS is the pack's (not this process's, which seeded the data).
    const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-pack-'));
    const env = {
      ...process.env,
      VIGIL_ENV: 'test',
      DATABASE_URL: db.url,
      VIGIL_MASTER_KEY: config.VIGIL_MASTER_KEY as string,
      VIGIL_LOG_LEVEL: 'warn',
    };
    const baseline = await vigil(
      [
        'audit',
        'export',
        '--org',
        org.id,
        '--from',
        period.from.toISOString(),
        '--to',
        period.to.toISOString(),
        '--out',
        join(dir, 'events.jsonl'),
      ],
      env,
    );
    const built = await vigil(
      [
        'evidence',
        'export',
        '--org',
        'bigcorp',
        '--from',
        yesterday,
        '--to',
        today,
        '--out',
        join(dir, 'pack.zip'),
        '--json',
      ],
      env,
      heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : [],
    );
    // What the pack's full verification of the log costs on its own (part of the pack's time).
    const verify = await vigil(['audit', 'verify'], env);
    const idle = await vigil(['orgs', 'list'], env);
    const printed = JSON.parse(built.stdout) as { files: number };
    const [exportedBytes, packBytes] = await Promise.all([
      stat(join(dir, 'events.jsonl')).then((s) => s.size),
      stat(join(dir, 'pack.zip')).then((s) => s.size),
    ]);
    await rm(dir, { recursive: true, force: true });

    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    console.log(
      `${'vigil audit export, JSON Lines (baseline)'.padEnd(44)} ${baseline.seconds.toFixed(1).padStart(8)} s for ${fmt(events)} events (${mb(exportedBytes)}), peak RSS ${mb(baseline.maxRss)}`,
    );
    console.log(
      `${'vigil evidence export'.padEnd(44)} ${built.seconds.toFixed(1).padStart(8)} s, ${printed.files} files, ${mb(packBytes)} zipped, peak RSS ${mb(built.maxRss)} (${(built.seconds / baseline.seconds).toFixed(2)}× the export's time, ${(built.maxRss / baseline.maxRss).toFixed(2)}× its RSS)`,
    );
    console.log(
      `${'  of which: vigil audit verify alone'.padEnd(44)} ${verify.seconds.toFixed(1).padStart(8)} s, peak RSS ${mb(verify.maxRss)}`,
    );
    console.log(
      `${'  a CLI process doing nothing (vigil orgs list)'.padEnd(44)} ${idle.seconds.toFixed(1).padStart(8)} s, peak RSS ${mb(idle.maxRss)}${heapMb > 0 ? `; the pack built with a ${heapMb} MB V8 heap limit` : ''}`,
    );
    const met = built.seconds <= 60 && built.maxRss < 300 * 1024 * 1024;
    console.log(`targets (≤ 60 s, peak RSS < 300 MB): ${met ? 'met' : 'NOT met'}`);
  } finally {
    await core.close();
    if (keep)
      console.log(`kept: DATABASE_URL=${db.url} VIGIL_MASTER_KEY=${config.VIGIL_MASTER_KEY}`);
    else await db.drop();
  }
}
