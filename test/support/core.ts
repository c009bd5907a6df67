import { setTimeout as sleep } from 'node:timers/promises';
import { type Core, openCore } from '../../src/app/core.ts';
import { sealAll, verifyAuditLog } from '../../src/audit/index.ts';
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

/**
 * Seals every event, then verifies the log. Sealing stops at the oldest transaction still running
 * anywhere on the PostgreSQL server (a server-wide horizon, docs/audit.md): another database's
 * transaction (another test file's, when files run side by side) can hold events back for a
 * moment, so this seals again until none is pending, for five seconds at most.
 */
export async function sealEverything(node: Pick<Core, 'sealer' | 'database' | 'keys'>) {
  let sealed = 0;
  for (let attempt = 0; ; attempt++) {
    sealed += await sealAll(node.sealer);
    const report = await verifyAuditLog(node);
    if (report.pending === 0 || attempt === 50) return { sealed, report };
    await sleep(100);
  }
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
    database: core.database,
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
