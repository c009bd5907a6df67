import { sql } from 'kysely';
import { openCore } from '../src/app/core.ts';
import { createServices, type Services } from '../src/app/services.ts';
import { generateMasterKeyBase64 } from '../src/crypto/index.ts';
import {
  type AuditActor,
  createLogger,
  type Database,
  loadConfig,
  operatorActor,
  withOrg,
} from '../src/platform/index.ts';
import { fmt, freshDatabase, option } from './support.ts';

/** Managers among the seeded users (users 1..managers); four users in five have one. */
const managers = 100;

/**
 * Access review campaigns at scale (issue 20) on PostgreSQL: an `all_assignments` campaign over
 * `2 × --users` role assignments launched through `reviews.launch`, decided through
 * `reviews.decide` in bulk by each reviewer (10% revoke, 5% left undecided, the rest kept), then
 * closed through `reviews.close` with the undecided policy `revoke` (targets at 100,000
 * assignments: launch ≤ 10 s, close ≤ 30 s).
 *
 * The baseline, in the same run and database, is the same campaign over `2 × --baseline-users`
 * assignments of another organization: the ratio of the per-assignment times says whether a
 * campaign's cost grows with its size alone (1.0) or faster. The plain read of the large
 * organization's assignments with their holders is printed beside the launch: what no launch can
 * beat.
 *
 *   npm run bench -- reviews [--users 50000] [--baseline-users 500]
 */
export async function main(argv: string[]): Promise<void> {
  const users = option(argv, 'users', 50_000);
  const baselineUsers = option(argv, 'baseline-users', 500);
  const db = await freshDatabase();
  const logger = createLogger('warn');
  const { config } = loadConfig({
    VIGIL_ENV: 'test',
    DATABASE_URL: db.url,
    VIGIL_MASTER_KEY: generateMasterKeyBase64(),
  });
  const core = await openCore({ config, logger });
  try {
    const services = createServices(core);
    console.log(
      `reviews benchmark: PostgreSQL, all_assignments campaigns; ${fmt(2 * users)} assignments against a baseline of ${fmt(2 * baselineUsers)} in the same run`,
    );
    const baseline = await campaign(services, core.database, 'baseline', baselineUsers);
    const large = await campaign(services, core.database, 'large', users);
    const per = (r: Run, step: 'launch' | 'close') => r[step] / r.assignments;
    for (const step of ['launch', 'close'] as const)
      console.log(
        `${step}: ${(large[step] / 1000).toFixed(2)} s over ${fmt(large.assignments)} assignments (target ≤ ${step === 'launch' ? 10 : 30} s: ${large[step] <= (step === 'launch' ? 10_000 : 30_000) ? 'met' : 'MISSED'}); baseline ${(baseline[step] / 1000).toFixed(3)} s over ${fmt(baseline.assignments)}; per-assignment ratio ${(per(large, step) / per(baseline, step)).toFixed(2)}`,
      );
    console.log(
      `plain read of the ${fmt(large.assignments)} assignments with their holders: ${(large.plainRead / 1000).toFixed(2)} s (the launch's floor)`,
    );
  } finally {
    await core.close();
    await db.drop();
  }
}

interface Run {
  assignments: number;
  launch: number;
  close: number;
  plainRead: number;
}

/** Seeds an organization, then launches, decides and closes one campaign over it, timed. */
async function campaign(
  services: Services,
  database: Database,
  slug: string,
  users: number,
): Promise<Run> {
  const org = await services.tenancy.addOrganization({ slug, name: slug }, operatorActor);
  const seededAt = performance.now();
  await seed(services, database, org.id, users);
  const assignments = await countAssignments(database, org.id);
  console.log(
    `${slug}: seeded ${fmt(users)} users, ${fmt(assignments)} assignments in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`,
  );

  const readAt = performance.now();
  await withOrg(database, org.id, (tx) =>
    sql`SELECT a.*, u.email, u.display_name, u.manager_id FROM role_assignments a
        JOIN users u ON u.id = a.user_id WHERE a.org_id = ${org.id}`.execute(tx),
  );
  const plainRead = performance.now() - readAt;

  const launchedAt = performance.now();
  const launched = await withOrg(database, org.id, (tx) =>
    services.reviews.launch(
      tx,
      org.id,
      {
        scope: { kind: 'all_assignments' },
        name: `Bench ${slug}`,
        dueAt: new Date(Date.now() + 14 * 86_400_000),
        undecided: 'revoke',
      },
      operatorActor,
    ),
  );
  const launch = performance.now() - launchedAt;
  console.log(
    `${slug}: launched ${fmt(launched.metrics.items)} items in ${(launch / 1000).toFixed(2)} s (${launched.metrics.unreviewable} unreviewable)`,
  );

  const decidedAt = performance.now();
  const decided = await decideAll(services, database, org.id, launched.id);
  console.log(
    `${slug}: ${fmt(decided)} items decided in bulk by their reviewers in ${((performance.now() - decidedAt) / 1000).toFixed(1)} s`,
  );

  const closedAt = performance.now();
  const closed = await withOrg(database, org.id, (tx) =>
    services.reviews.close(tx, org.id, launched.id, operatorActor),
  );
  const close = performance.now() - closedAt;
  console.log(
    `${slug}: closed in ${(close / 1000).toFixed(2)} s, ${fmt(closed.metrics.revoked)} revocations, clean: ${closed.clean}`,
  );
  return { assignments, launch, close, plainRead };
}

/**
 * `users` users in set-based inserts: users 1..100 manage the others (four in five have a manager,
 * the rest are reviewed by the admins); every user holds `member` and one more role, `org-admin`
 * (privileged) for one in fifty and `org-auditor` otherwise; three in ten come from the directory
 * (an external id, `member` granted by SCIM). Two admins made through rbac review the rest.
 */
async function seed(services: Services, database: Database, orgId: string, users: number) {
  await withOrg(database, orgId, async (tx) => {
    for (const n of [1, 2]) {
      const admin = await services.identity.createUser(
        tx,
        orgId,
        { email: `admin${n}@${orgId}.test`, displayName: `Admin ${n}` },
        operatorActor,
      );
      await services.rbac.assign(
        tx,
        { orgId, userId: admin.id, roleKey: 'org-owner', reason: 'benchmark' },
        null,
        operatorActor,
      );
    }
    await sql`
      CREATE TEMPORARY TABLE bench_users ON COMMIT DROP AS
      SELECT n, gen_random_uuid() AS id FROM generate_series(1, ${users}::int) AS n`.execute(tx);
    await sql`
      INSERT INTO users (id, org_id, email, display_name, status, created_at, updated_at,
                         manager_id, external_id)
      SELECT b.id, ${orgId}::uuid, 'user' || b.n || '@bench.test', 'User ' || b.n, 'active',
             now() - interval '400 days', now(),
             CASE WHEN b.n > ${managers} AND b.n % 5 <> 0 THEN m.id END,
             CASE WHEN b.n % 10 < 3 THEN 'ext-' || b.n END
      FROM bench_users b
      LEFT JOIN bench_users m ON m.n = 1 + b.n % ${managers}
      ORDER BY b.n`.execute(tx);
    await sql`
      INSERT INTO role_assignments (org_id, user_id, role_key, granted_by, reason, granted_at, source)
      SELECT ${orgId}::uuid, b.id, 'member', NULL::uuid, 'benchmark', now() - interval '200 days',
             CASE WHEN b.n % 10 < 3 THEN 'scim' ELSE 'admin' END
      FROM bench_users b
      UNION ALL
      SELECT ${orgId}::uuid, b.id, CASE WHEN b.n % 50 = 0 THEN 'org-admin' ELSE 'org-auditor' END,
             NULL, 'benchmark', now() - interval '100 days', 'admin'
      FROM bench_users b`.execute(tx);
  });
  await withOrg(database, orgId, (tx) => sql`ANALYZE`.execute(tx)).catch(() => undefined);
}

async function countAssignments(database: Database, orgId: string) {
  const { rows } = await withOrg(database, orgId, (tx) =>
    sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM role_assignments WHERE org_id = ${orgId}`.execute(tx),
  );
  return rows[0]?.n ?? 0;
}

/**
 * Each reviewer decides their items in bulk, 1,000 per call: one in ten revoked, one in twenty
 * left undecided (revoked at close by the policy), the rest kept with a justification (required
 * for privileged access).
 */
async function decideAll(services: Services, database: Database, orgId: string, id: string) {
  const items = await withOrg(database, orgId, (tx) =>
    tx
      .selectFrom('review_items')
      .select(['id', 'position', 'reviewer_id'])
      .where('campaign_id', '=', id)
      .where('reviewer_id', 'is not', null)
      .orderBy('position')
      .execute(),
  );
  const batches = new Map<string, { revoke: string[]; keep: string[] }>();
  for (const item of items) {
    if (item.position % 20 === 1) continue;
    const reviewer = item.reviewer_id as string;
    const mine = batches.get(reviewer) ?? { revoke: [], keep: [] };
    (item.position % 10 === 0 ? mine.revoke : mine.keep).push(item.id);
    batches.set(reviewer, mine);
  }
  let decided = 0;
  for (const [reviewer, mine] of batches) {
    const actor: AuditActor = { type: 'user', id: reviewer };
    for (const [decision, ids] of [
      ['revoke', mine.revoke],
      ['keep', mine.keep],
    ] as const)
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        await withOrg(database, orgId, (tx) =>
          services.reviews.decide(
            tx,
            orgId,
            chunk,
            { decision, justification: 'still needed for their job' },
            actor,
          ),
        );
        decided += chunk.length;
      }
  }
  return decided;
}
