import { sql } from 'kysely';
import { type Core, openCore } from '../src/app/core.ts';
import { createServices } from '../src/app/services.ts';
import { sealAll, startSealer, verifyAuditLog } from '../src/audit/index.ts';
import { generateMasterKeyBase64 } from '../src/crypto/index.ts';
import {
  type AuditEventInput,
  createLogger,
  type Logger,
  loadConfig,
  newId,
  platformOrgId,
  repeatEvery,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { fmt, freshDatabase, option, runFor } from './support.ts';

/**
 * Audit write throughput on PostgreSQL, with the sealer running, next to plain single-row inserts
 * measured in the same run; then `verify` over a large log next to a plain read of the same rows.
 *
 *   npm run bench -- audit [--seconds 10] [--writers 32] [--verify-events 1000000] [--keep]
 */
/**
 * Runs `work` with the alert engine evaluating every rule (all on by default) at its configured
 * interval, as a server does; then lets the engine catch up and says how far behind it was.
 */
async function withAlertRules(
  core: Core,
  logger: Logger,
  work: () => Promise<number>,
): Promise<number> {
  const { alerts } = createServices(core, { mailer: { send: async () => undefined } });
  // The first round starts at the feed's end: the phase's events are what it evaluates.
  await alerts.engine.runRound();
  const rounds = repeatEvery({
    name: 'alert rules',
    intervalMs: core.config.VIGIL_ALERTS_INTERVAL_MS,
    run: () => alerts.engine.runRound(),
    logger,
  });
  const rate = await work();
  await rounds.stop();
  const started = performance.now();
  let behind = 0;
  let raised = 0;
  for (;;) {
    const round = await alerts.engine.runRound();
    behind += round.events;
    raised += round.raised;
    if (round.events === 0) break;
  }
  console.log(
    `${'  alert engine behind when the writers stopped'.padEnd(44)} ${fmt(behind).padStart(8)} events, caught up in ${Math.round(performance.now() - started)} ms (${raised} alerts raised then)`,
  );
  return rate;
}

export async function main(argv: string[]): Promise<void> {
  const seconds = option(argv, 'seconds', 10);
  const writers = option(argv, 'writers', 32);
  const verifyEvents = option(argv, 'verify-events', 1_000_000);
  // Keep the database (and print how to reach it) to time `vigil audit verify` on it afterwards.
  const keep = argv.includes('--keep');
  const db = await freshDatabase();
  const logger = createLogger('warn');
  const { config } = loadConfig({
    VIGIL_ENV: 'test',
    DATABASE_URL: db.url,
    VIGIL_MASTER_KEY: generateMasterKeyBase64(),
    VIGIL_DB_POOL_SIZE: '16',
  });
  const core = await openCore({ config, logger });
  const orgId = platformOrgId;
  const event = (i: number): AuditEventInput => ({
    orgId,
    action: 'auth.login.failed',
    outcome: 'failure',
    actor: { type: 'anonymous', ip: '198.51.100.7', userAgent: 'bench/1.0' },
    target: { type: 'user', id: newId() },
    requestId: newId(),
    details: { reason: 'bad_password', attempt: i % 10 },
  });
  // The writers' events only (the alert rules add alert.raised events of their own).
  const count = async () =>
    Number(
      (
        await withPlatform(core.database, (tx) =>
          sql<{
            n: string;
          }>`SELECT count(*) AS n FROM audit_events WHERE action = 'auth.login.failed'`.execute(tx),
        )
      ).rows[0]?.n,
    );
  try {
    console.log(
      `audit benchmark: PostgreSQL, ${writers} concurrent writers, ${seconds} s per phase, pool 16`,
    );

    // Baseline: plain single-row inserts (autocommit), same pool, same writers.
    await sql`CREATE TABLE bench_plain (id uuid PRIMARY KEY, org_id uuid NOT NULL, payload text NOT NULL)`
      .execute(core.database.db)
      .catch(async () => {
        await core.database.ownerTransaction((s) =>
          s.script(
            'CREATE TABLE bench_plain (id uuid PRIMARY KEY, org_id uuid NOT NULL, payload text NOT NULL); GRANT INSERT ON bench_plain TO vigil_app',
          ),
        );
      });
    const payload = JSON.stringify(event(0));
    const plain =
      (await runFor(seconds, writers, () =>
        sql`INSERT INTO bench_plain (id, org_id, payload) VALUES (${newId()}, ${orgId}, ${payload})`.execute(
          core.database.db,
        ),
      )) / seconds;

    const sealerHandle = (intervalMs: number) =>
      startSealer({ ...core.sealer, intervalMs, logger });
    const phase = async (name: string, op: (i: number) => Promise<unknown>, eventsPerOp = 1) => {
      const before = await count();
      const sealer = sealerHandle(config.VIGIL_AUDIT_SEAL_INTERVAL_MS);
      let i = 0;
      // Every acknowledged write, those that end after the window too: all of them must be
      // stored, and the rate below is taken over the time until the last one is sealed.
      let acknowledged = 0;
      const started = performance.now();
      await runFor(seconds, writers, async () => {
        await op(i++);
        acknowledged++;
      });
      const done = acknowledged * eventsPerOp;
      const written = performance.now();
      await sealer.stop();
      const sealed = performance.now();
      const total = (await count()) - before;
      if (total !== done)
        throw new Error(`${name}: ${done} writes acknowledged but ${total} stored`);
      const rate = done / ((sealed - started) / 1000);
      console.log(
        `${name.padEnd(44)} ${fmt(rate).padStart(8)} events/s sealed (${(rate / plain).toFixed(2)}× plain), write ${fmt(done / ((written - started) / 1000))}/s, seal tail ${Math.round(sealed - written)} ms`,
      );
      return rate;
    };

    console.log(
      `${'plain single-row INSERT (baseline)'.padEnd(44)} ${fmt(plain).padStart(8)} rows/s`,
    );
    const appendRate = await phase('append (group commit), sealed', (i) =>
      core.audit.append(event(i)),
    );
    const withRules = await withAlertRules(core, logger, () =>
      phase('append (group commit), sealed, every alert rule on', (i) =>
        core.audit.append(event(i)),
      ),
    );
    console.log(
      `${'with rules ÷ without (target ≥ 0.8)'.padEnd(44)} ${(withRules / appendRate).toFixed(2).padStart(8)}`,
    );
    await phase('record, 1 event per transaction, sealed', (i) =>
      withOrg(core.database, orgId, (tx) => core.audit.record(tx, event(i))),
    );
    await phase(
      'record, 4 events per transaction, sealed',
      (i) =>
        withOrg(core.database, orgId, (tx) =>
          core.audit.recordMany(tx, [event(i), event(i), event(i), event(i)]),
        ),
      4,
    );

    // Verification over a large log.
    const existing = await count();
    const toAdd = Math.max(0, verifyEvents - existing);
    const t0 = performance.now();
    for (let left = toAdd; left > 0; left -= 1000) {
      const batch = Array.from({ length: Math.min(1000, left) }, (_, i) => event(i));
      await withPlatform(core.database, (tx) => core.audit.recordMany(tx, batch));
    }
    await sealAll(core.sealer);
    const loaded = performance.now();
    const readStart = performance.now();
    let read = 0;
    for (let after = { tx: '0', seq: '0' }; ; ) {
      const rows = await withPlatform(core.database, (tx) =>
        sql<{
          tx: string;
          seq: string;
        }>`SELECT id, tx::text AS tx, seq::text AS seq, org_id, (extract(epoch FROM occurred_at) * 1000)::float8 AS occurred_ms, actor_type, actor_id, actor_ip, actor_ua, action, target_type, target_id, outcome, request_id, details, mac_key_id, mac
          FROM audit_events WHERE (tx, seq) > (${after.tx}::bigint, ${after.seq}::bigint) ORDER BY audit_events.tx, audit_events.seq LIMIT 20000`.execute(
          tx,
        ),
      );
      read += rows.rows.length;
      const last = rows.rows[rows.rows.length - 1];
      if (!last || rows.rows.length < 20000) break;
      after = { tx: last.tx, seq: last.seq };
    }
    const readSeconds = (performance.now() - readStart) / 1000;
    const verifyStart = performance.now();
    const report = await verifyAuditLog(core);
    const verifySeconds = (performance.now() - verifyStart) / 1000;
    if (!report.ok) throw new Error(`verify found ${report.findings.length} problems`);
    console.log(
      `loaded and sealed ${fmt(toAdd)} more events in ${((loaded - t0) / 1000).toFixed(1)} s`,
    );
    console.log(
      `${'plain keyset read of every event (baseline)'.padEnd(44)} ${readSeconds.toFixed(1).padStart(8)} s for ${fmt(read)} rows`,
    );
    console.log(
      `${'audit verify'.padEnd(44)} ${verifySeconds.toFixed(1).padStart(8)} s for ${fmt(report.events)} events in ${fmt(report.blocks)} blocks (${fmt(report.events / verifySeconds)} events/s, ${(verifySeconds / readSeconds).toFixed(2)}× the plain read)`,
    );
    const target =
      appendRate >= 5000 &&
      verifySeconds <= 20 &&
      report.events >= 1_000_000 &&
      withRules / appendRate >= 0.8;
    console.log(
      `targets (≥5,000 events/s appended and sealed; verify of ≥1,000,000 events ≤ 20 s; with every alert rule on ≥ 0.8 of without): ${target ? 'met' : 'NOT met'}`,
    );
  } finally {
    await core.close();
    if (keep) {
      console.log(`kept: DATABASE_URL=${db.url} VIGIL_MASTER_KEY=${config.VIGIL_MASTER_KEY}`);
    } else {
      await db.drop();
    }
  }
}
