import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCore } from '../../src/app/core.ts';
import { createServices } from '../../src/app/services.ts';
import { generateMasterKeyBase64 } from '../../src/crypto/index.ts';
import { createLogger, loadConfig, openDatabase } from '../../src/platform/index.ts';
import { asOwner, openTestDatabase, type TestDatabase } from './database.ts';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cliPath = new URL('../../src/app/cli.ts', import.meta.url).pathname;

/** Runs `vigil ARGS` in a child process with only `env` (and PATH) set. */
export function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
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

/**
 * A store for the CLI to run against: a fresh PostgreSQL database, or PGlite in a temp data dir.
 * `env` is the CLI's environment (one object, so a test may change it for the tests after it);
 * `open` before the tests, `close` after them.
 */
export function cliStore() {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  const env: Record<string, string> = {
    VIGIL_ENV: 'test',
    VIGIL_DATA_DIR: dataDir,
    VIGIL_MASTER_KEY: generateMasterKeyBase64(),
  };
  let testDb: TestDatabase | undefined;

  /** Owner access for tampering: the test database, or the PGlite dir (no CLI is running). */
  async function owner(sql: string, params: unknown[] = []) {
    if (testDb) return asOwner(testDb.database, sql, params);
    const database = await openDatabase({ dataDir });
    try {
      return await asOwner(database, sql, params);
    } finally {
      await database.close();
    }
  }

  return {
    env,
    dataDir,
    owner,
    async open() {
      if (process.env.VIGIL_TEST_DATABASE_URL) {
        testDb = await openTestDatabase({ migrate: false });
        env.DATABASE_URL = testDb.ownerUrl ?? '';
      }
    },
    close: () => testDb?.close(),

    /** The services over the CLI's store, as a node would have them (no CLI is running). */
    async withServices<T>(
      fn: (
        services: ReturnType<typeof createServices>,
        core: Awaited<ReturnType<typeof openCore>>,
      ) => Promise<T>,
    ): Promise<T> {
      const core = await openCore({
        config: loadConfig(env).config,
        logger: createLogger('silent'),
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
