import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { lent, runCli } from '../../src/app/cli.ts';
import { openCore } from '../../src/app/core.ts';
import { createServices } from '../../src/app/services.ts';
import { generateMasterKeyBase64 } from '../../src/crypto/index.ts';
import { createLogger, type Database, loadConfig } from '../../src/platform/index.ts';
import { asOwner, openTestDatabase, type TestDatabase } from './database.ts';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const repository = new URL('../..', import.meta.url).pathname;

/**
 * Runs `npm run vigil -- ARGS` in a child process with only `env` (and PATH) set: the binary as an
 * operator runs it, for the few smoke tests of that path (every other test runs in-process).
 */
export function spawnVigil(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'vigil', '--', ...args], {
      cwd: repository,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A stream that keeps what is written to it. */
function captured(): Writable & { text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  return Object.assign(stream, { text: () => text });
}

/**
 * Runs `vigil ARGS` in this process through `runCli`, with only `env` as its environment, over
 * `database` when given (otherwise the one `env` configures), capturing its output.
 */
export async function runVigil(
  args: string[],
  env: Record<string, string>,
  database?: Database,
): Promise<Run> {
  const stdout = captured();
  const stderr = captured();
  const code = await runCli(args, { env, stdout, stderr, database });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/**
 * A store for the CLI to run against: a fresh test database (PostgreSQL or PGlite, migrated or
 * not) that every `vigil` run of the file shares. `env` is the CLI's environment (one object, so
 * a test may change it for the tests after it); `open` before the tests, `close` after them.
 */
export function cliStore(options: { migrated?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  const env: Record<string, string> = {
    VIGIL_ENV: 'test',
    VIGIL_DATA_DIR: dataDir,
    VIGIL_MASTER_KEY: generateMasterKeyBase64(),
  };
  let testDb: TestDatabase | undefined;
  const database = () => {
    if (!testDb) throw new Error('cliStore: open() it before the tests');
    return testDb.database;
  };

  /** Owner access for tampering: what an attacker with DBA access could do. */
  const owner = (sql: string, params: unknown[] = []) => asOwner(database(), sql, params);

  return {
    env,
    dataDir,
    owner,
    async open() {
      testDb = await openTestDatabase({ migrate: options.migrated ?? false });
    },
    close: () => testDb?.close(),

    /** `vigil ARGS` over the store, with `env` and these variables on top of it. */
    vigil: (args: string[], overrides: Record<string, string> = {}) =>
      runVigil(args, { ...env, ...overrides }, database()),

    /** The services over the CLI's store, as a node would have them. */
    async withServices<T>(
      fn: (
        services: ReturnType<typeof createServices>,
        core: Awaited<ReturnType<typeof openCore>>,
      ) => Promise<T>,
    ): Promise<T> {
      const core = await openCore({
        config: loadConfig(env).config,
        logger: createLogger('silent'),
        database: lent(database()),
      });
      try {
        return await fn(createServices(core), core);
      } finally {
        await core.close();
      }
    },

    /** Audit events of these actions, oldest first. */
    async audited(actionPrefix: string) {
      return (
        await owner(
          'SELECT action, org_id, actor_type, target_id, details FROM audit_events WHERE action LIKE $1 ORDER BY tx, seq',
          [`${actionPrefix}%`],
        )
      ).map((r) => ({
        action: String(r.action),
        orgId: String(r.org_id),
        actorType: String(r.actor_type),
        targetId: String(r.target_id),
        details: JSON.parse(String(r.details)),
      }));
    },
  };
}
