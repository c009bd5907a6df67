import { type Core, openCore } from '../../src/app/core.ts';
import { generateMasterKeyBase64 } from '../../src/crypto/index.ts';
import {
  type Clock,
  createLogger,
  loadConfig,
  operatorActor,
  platformOrgId,
  withPlatform,
} from '../../src/platform/index.ts';
import { createTenancyService } from '../../src/tenancy/index.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';

export interface TestCore extends Core {
  testDb: TestDatabase;
  masterKey: string;
  /** Creates a customer organization (audited, as the operator); returns its id. */
  createOrg(slug: string): Promise<string>;
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
  const tenancy = createTenancyService({
    audit: core.audit.record,
    clock: core.clock,
    platformOrgId,
  });
  return {
    ...core,
    testDb,
    masterKey,
    createOrg: (slug) =>
      withPlatform(
        core.database,
        async (tx) =>
          (await tenancy.createOrganization(tx, { slug, name: slug }, operatorActor)).id,
      ),
    async close() {
      await core.close();
      await testDb.close();
    },
  };
}
