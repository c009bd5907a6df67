import { createInterface } from 'node:readline';
import pg from 'pg';
import { newId } from '../src/platform/index.ts';

export const benchDatabaseUrl =
  process.env.VIGIL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database on the benchmark server, dropped by `drop()`. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `vigil_bench_${newId().replaceAll('-', '').slice(-12)}`;
  const admin = new pg.Client({ connectionString: benchDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(benchDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: benchDatabaseUrl });
      await c.connect();
      // A closed pool's backends may still be exiting: terminated now, they would send the
      // pool's (already ended) clients an error nobody listens for any more.
      for (let i = 0; i < 50; i++) {
        const { rows } = await c.query(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        if (rows[0]?.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Runs `writers` concurrent loops of `op` and counts the operations that complete inside a window
 * of `seconds`, which opens after `ramp` seconds of the same load. An operation still running when
 * the window closes is not counted: counting it (as this did until 2026-12-02) credited a phase
 * with work done after its window, one operation per writer, which favoured the many writers of a
 * sign-in phase over a baseline's one (docs/authentication.md#measured). The ramp keeps the start,
 * when every pipeline is still empty, out of the window. `atWindowEdge` runs as the window opens
 * and as it closes (CPU readings).
 */
export async function runFor(
  seconds: number,
  writers: number,
  op: () => Promise<unknown>,
  { ramp = 0, atWindowEdge = () => {} }: { ramp?: number; atWindowEdge?: () => void } = {},
): Promise<number> {
  let done = 0;
  const opens = performance.now() + ramp * 1000;
  const closes = opens + seconds * 1000;
  const edge = (at: number) =>
    new Promise<void>((resolve) =>
      setTimeout(
        () => {
          atWindowEdge();
          resolve();
        },
        Math.max(0, at - performance.now()),
      ),
    );
  await Promise.all([
    edge(opens),
    edge(closes),
    ...Array.from({ length: writers }, async () => {
      while (performance.now() < closes) {
        await op();
        const now = performance.now();
        if (now >= opens && now < closes) done++;
      }
    }),
  ]);
  return done;
}

export function option(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * A load generator's side of `startLoadGenerator`: answers each round's settings, a JSON line on
 * stdin, with what `round` returns, as a JSON line on stdout, until stdin ends. An error ends the
 * process with its message on stderr.
 */
export async function serveRounds<Round>(round: (settings: Round) => Promise<unknown>) {
  try {
    for await (const line of createInterface({ input: process.stdin }))
      process.stdout.write(`${JSON.stringify(await round(JSON.parse(line) as Round))}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
