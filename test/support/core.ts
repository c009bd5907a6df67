import { type Core, openCore } from '../../src/app/core.ts';
import { generateMasterKeyBase64 } from '../../src/crypto/index.ts';
import { type Clock, createLogger, loadConfig } from '../../src/platform/index.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';

export interface TestCore extends Core {
  testDb: TestDatabase;
  masterKey: string;
}

/** A Core on a fresh test database, with a random master key and a silent logger. */
export async function openTestCore(
  options: { clock?: Clock; env?: Record<string, string>; masterKey?: string } = {},
): Promise<TestCore> {
  const testDb = await openTestDatabase();
  const masterKey = options.masterKey ?? generateMasterKeyBase64();
  const { config } = loadConfig({
    VIGIL_ENV: 'test',
    VIGIL_MASTER_KEY: masterKey,
    VIGIL_DATA_DIR: '/nonexistent-vigil-test-dir',
    VIGIL_AUDIT_BLOCK_SIZE: '50',
    ...options.env,
  });
  const core = await openCore({
    config,
    logger: createLogger('silent'),
    clock: options.clock,
    database: testDb.database,
  });
  return {
    ...core,
    testDb,
    masterKey,
    async close() {
      await core.close();
      await testDb.close();
    },
  };
}
